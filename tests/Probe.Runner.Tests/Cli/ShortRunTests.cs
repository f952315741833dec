using System.Text.Json;
using Probe.DemoTarget;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

/// <summary>
/// Short runs, as CI gates run them, must be valid: Probe's own start-up (compiling its request path,
/// starting threads, first connections) must not stall the schedule and pass for the target's latency.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class ShortRunTests
{
    [Theory]
    [InlineData("examples/berrys-agents.json")]
    [InlineData("examples/cutting-edge.json")]
    [InlineData("examples/linda-bot.json")]
    [InlineData("examples/rag-chatbot.json")]
    [InlineData("examples/swipesavvy.json")]
    [InlineData("examples/llm-openai.json")]
    [InlineData("examples/llm-anthropic.json")]
    public async Task Run_ExampleSuiteAtAOneTwentiethScale_PassesAndIsValid(string suite)
    {
        string folder = ProbeProcess.TempFolder();
        string file = Path.Combine(Repository.Root, suite);
        int port = ProbeProcess.FreePort();
        string[] targets = DemoTargets(file).SelectMany(name => new[] { "--target", $"{name}=http://127.0.0.1:{port}" }).ToArray();

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, ["run", file, "--duration-scale", "0.05", "--out", "out", .. targets]);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        Assert.True(summary.RootElement.GetProperty("generator").GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Run_InjectHundredPerSecondForEightSecondsOnAFastTarget_IsValidWithoutLateStarts()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        WriteInjectSuite(folder, target.Address, "100/s", "8s");

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "inject.json", "--out", "out");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        JsonElement health = summary.RootElement.GetProperty("scenarios")[0];
        Assert.Equal(800, health.GetProperty("iterations").GetProperty("count").GetInt64());
        Assert.True(summary.RootElement.GetProperty("generator").GetProperty("valid").GetBoolean(), stdout);

        // The lag bound is 10 ms; more than two late starts would make the run invalid. On this
        // target nothing should be late at all, but a busy CI machine may delay one start.
        // The message says when the late starts were and how late, so a failure points at its stall.
        JsonElement late = health.GetProperty("late_starts");
        Assert.True(late.GetProperty("count").GetInt64() <= 2, $"late starts: {late}; scheduler lag: {health.GetProperty("scheduler_lag_ms")}");

        // Output redirected, as in CI: plain progress lines with the run clock and the load phase.
        Assert.Matches(@"\[0:0\d of 0:08, 0:0\d left\]", stdout);
        Assert.Contains("1/1 inject 100/s for 8s", stdout);
    }

    [Fact]
    public async Task Run_OnceASecondFiguresAndBodyReadingAreCompiledBeforeTheScheduleStarts()
    {
        // The once-a-second path (cutting a second, summarising histograms and counters) used to be
        // compiled on the run's first ticks: 45-80 ms of CPU beside the schedule, and on a busy
        // two-core machine the open model's starts came 10-20 ms late. The runtime's compilation log
        // shows what is compiled between the schedule's start and its end: none of it may be figures.
        // Each method compiled once, as the tests' build sets it, whatever this machine's environment says.
        var (_, during) = await CompileLogAroundScheduleAsync("50/s", "3s", new() { ["DOTNET_TC_QuickJit"] = "0" });

        // Nor the reading of the target's answers: the demo target, like most servers, sends chunked bodies.
        string[] late = during
            .Where(line => line.Contains("Probe.Engine.Stats.", StringComparison.Ordinal) || line.Contains("Probe.Engine.Histograms.", StringComparison.Ordinal)
                || line.Contains("Probe.Scenarios.Http.Lean.LeanConnection:", StringComparison.Ordinal))
            .ToArray();
        Assert.True(late.Length == 0, "compiled while the schedule ran:\n" + string.Join('\n', late));
    }

    [Fact]
    public async Task Run_WithQuickCompilation_RecompilesTheHotPathBeforeTheScheduleStarts()
    {
        // The Release build compiles quickly first and recompiles a method optimised once it has run
        // ~30 times (probe.runtimeconfig.json: these are its settings, the delay in hexadecimal). That
        // recompiling must be over before the schedule starts: beside it, on a busy machine, it took
        // the CPU the open model's starts needed. The tests' build compiles Probe's own methods without
        // optimising, so .NET's generic code for Probe's types (async builders, value tasks) is what
        // shows it; without the warm-up's rounds some 70 of those were recompiled in the schedule.
        var (before, during) = await CompileLogAroundScheduleAsync("100/s", "2s", new()
        {
            ["DOTNET_TC_QuickJit"] = "1",
            ["DOTNET_TC_CallCountingDelayMs"] = "A",
            ["DOTNET_TieredPGO"] = "0",
        });

        static bool Recompiled(string line) => line.Contains("Probe.", StringComparison.Ordinal) && line.Contains("[Tier1", StringComparison.Ordinal);
        Assert.Contains(before, Recompiled);
        string[] recompiled = during.Where(Recompiled).ToArray();
        // A few may come late on a busy machine (the rounds stop after a quiet spell of 60 ms or more).
        Assert.True(recompiled.Length <= 10, $"{recompiled.Length} recompiled while the schedule ran:\n" + string.Join('\n', recompiled));
    }

    /// <summary>
    /// Runs a CI gate's suite at <paramref name="rate"/> during <paramref name="during"/> on the demo
    /// target with <paramref name="settings"/> in its environment; returns the runtime's compilation
    /// log before the schedule's start and between its start and its end.
    /// </summary>
    private static async Task<(string[] Before, string[] During)> CompileLogAroundScheduleAsync(string rate, string during, Dictionary<string, string> settings)
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        string log = Path.Combine(folder, "jit.txt");
        WriteInjectSuite(folder, target.Address, rate, during);
        settings["DOTNET_JitDisasmSummary"] = "1";
        settings["DOTNET_JitStdOutFile"] = log;

        var (exit, stdout, stderr) = await ProbeProcess.RunWithEnvironmentAsync(folder, settings, "run", "inject.json", "--out", "out", "--quiet");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        string[] compiled = File.ReadAllLines(log);
        int from = Array.FindIndex(compiled, line => line.Contains("Probe.Engine.Running.OpenModelDriver:DispatchPlan", StringComparison.Ordinal));
        int to = Array.FindIndex(compiled, line => line.Contains("Probe.Engine.Running.ScenarioDriver:DrainAsync", StringComparison.Ordinal));
        Assert.True(from >= 0 && to > from, $"the schedule's start and end are not in the compilation log ({compiled.Length} lines)");
        ProbeProcess.TryDelete(folder);
        return (compiled[..from], compiled[from..to]);
    }

    /// <summary>A CI gate's suite in <c>inject.json</c>: <c>/health</c> of <paramref name="target"/> with a status check, at <paramref name="rate"/> during <paramref name="during"/>.</summary>
    private static void WriteInjectSuite(string folder, Uri target, string rate, string during) =>
        File.WriteAllText(Path.Combine(folder, "inject.json"), $$"""
            {
              "suite": "inject",
              "targets": { "api": { "url": "{{target}}" } },
              "scenarios": {
                "health": {
                  "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ],
                  "load": { "inject": { "rate": "{{rate}}", "during": "{{during}}" } }
                }
              }
            }
            """);

    /// <summary>The suite's targets marked as the demo target (every example's are).</summary>
    private static IEnumerable<string> DemoTargets(string file)
    {
        using JsonDocument suite = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        return suite.RootElement.GetProperty("targets").EnumerateObject()
            .Where(t => t.Value.TryGetProperty("demo", out JsonElement demo) && demo.ValueKind is JsonValueKind.True or JsonValueKind.Object)
            .Select(t => t.Name)
            .ToArray();
    }
}
