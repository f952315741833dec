using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

[Collection(RealTimeCollection.Name)]
public class RulesCommandTests
{
    [Theory]
    [InlineData("scenarios.json")]
    [InlineData("examples/swipesavvy.json")]
    [InlineData("examples/rag-chatbot.json")]
    [InlineData("examples/cutting-edge.json")]
    [InlineData("examples/linda-bot.json")]
    [InlineData("examples/berrys-agents.json")]
    [InlineData("examples/llm-openai.json")]
    [InlineData("examples/llm-anthropic.json")]
    public async Task Rules_ForASuite_PassPromtoolCheckAndTheirOwnUnitTests(string suite)
    {
        string folder = ProbeProcess.TempFolder();

        var (exit, stdout, _) = await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, suite), "--out", "rules");

        Assert.True(exit == 0, stdout);
        var (check, checkOutput) = await Promtool.CheckRulesAsync(Path.Combine(folder, "rules", "probe-rules.yml"));
        Assert.True(check == 0, checkOutput);
        var (test, testOutput) = await Promtool.TestRulesAsync(Path.Combine(folder, "rules", "probe-rules.test.yml"));
        Assert.True(test == 0, testOutput);
    }

    [Fact]
    public async Task Rules_ThreeRegions_HaveTheTwoOfThreeQuorumAlert()
    {
        string folder = ProbeProcess.TempFolder();

        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "examples", "rag-chatbot.json"), "--out", "rules");

        string rules = File.ReadAllText(Path.Combine(folder, "rules", "probe-rules.yml"));
        Assert.Contains("count by (suite, scenario) (probe_success{suite=\\\"rag-chatbot-phase8\\\",scenario=\\\"uptime\\\"} == 0) >= 2", rules, StringComparison.Ordinal);
        Assert.Contains("probe:slo_error_ratio:rate1h{suite=\\\"rag-chatbot-phase8\\\",slo=\\\"uptime\\\"} > (14.4 * 0.005)", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_UnitTests_CatchAnAlertThatWouldNotFire()
    {
        string folder = ProbeProcess.TempFolder();
        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "scenarios.json"), "--out", "rules");
        string rules = Path.Combine(folder, "rules", "probe-rules.yml");

        // A burn rate a hundred times too high never pages: the generated tests must notice.
        File.WriteAllText(rules, File.ReadAllText(rules).Replace("(14.4 * ", "(1440 * ", StringComparison.Ordinal));
        var (test, _) = await Promtool.TestRulesAsync(Path.Combine(folder, "rules", "probe-rules.test.yml"));

        Assert.NotEqual(0, test);
    }

    [Fact]
    public async Task Rules_UnitTests_CatchAnAlertThatAMaintenanceWindowDoesNotHold()
    {
        string folder = ProbeProcess.TempFolder();
        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "scenarios.json"), "--out", "rules");
        string rules = Path.Combine(folder, "rules", "probe-rules.yml");
        Assert.Contains("== 0 unless on () (probe_maintenance{suite=\\\"demo\\\",scenario=\\\"smoke\\\"} == 1)", File.ReadAllText(rules), StringComparison.Ordinal);

        // The alerts without their hold: the generated tests must notice that the quorum alert (the suite has two regions) would page during the window.
        File.WriteAllText(rules, System.Text.RegularExpressions.Regex.Replace(File.ReadAllText(rules), @" unless on \(\) \(probe_maintenance\{[^}]*\} == 1\)", string.Empty));
        var (test, output) = await Promtool.TestRulesAsync(Path.Combine(folder, "rules", "probe-rules.test.yml"));

        Assert.NotEqual(0, test);
        Assert.Contains("ProbeRegionsFailing", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("absent_over_time(probe_runner_up{region=\\\"us-east\\\"}[2m])", "absent_over_time(probe_runner_up{region=\\\"us-east\\\"}[30m])", "ProbeRunnerMissing")]
    [InlineData("expr: \"probe_synthetics_spool_writable == 0\"\n        for: 1m", "expr: \"probe_synthetics_spool_writable == 0\"\n        for: 30m", "ProbeRunnerSpoolUnwritable")]
    public async Task Rules_UnitTests_CatchARunnerAlertThatWouldNotFire(string written, string broken, string alert)
    {
        // Who watches the watcher: a region whose runner went silent, or a runner losing its results, must alert in time.
        string folder = ProbeProcess.TempFolder();
        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "scenarios.json"), "--out", "rules");
        string rules = Path.Combine(folder, "rules", "probe-rules.yml");
        Assert.Contains(written, File.ReadAllText(rules), StringComparison.Ordinal);

        File.WriteAllText(rules, File.ReadAllText(rules).Replace(written, broken, StringComparison.Ordinal));
        var (test, output) = await Promtool.TestRulesAsync(Path.Combine(folder, "rules", "probe-rules.test.yml"));

        Assert.NotEqual(0, test);
        Assert.Contains(alert, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rules_UnitTests_CatchATierThatOneRegionAloneWouldFire()
    {
        string folder = ProbeProcess.TempFolder();
        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "examples", "rag-chatbot.json"), "--out", "rules");
        string rules = Path.Combine(folder, "rules", "probe-rules.yml");
        string written = File.ReadAllText(rules);
        Assert.Contains("[5m])) > 0.05) >= 2 unless", written, StringComparison.Ordinal);

        // The P0 error tier judged by one region of three: the generated tests must notice it would page.
        File.WriteAllText(rules, written.Replace("[5m])) > 0.05) >= 2 unless", "[5m])) > 0.05) >= 1 unless", StringComparison.Ordinal));
        var (test, output) = await Promtool.TestRulesAsync(Path.Combine(folder, "rules", "probe-rules.test.yml"));

        Assert.NotEqual(0, test);
        Assert.Contains("ProbeErrorRateHigh", output, StringComparison.Ordinal);
    }
}
