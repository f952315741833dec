using System.Globalization;
using System.Text.Json;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Import;

/// <summary>
/// The seed's k6 script, as a k6 user would bring it: imported with <c>probe import k6</c>, then run
/// against the demo target (which serves its API) with the same profile, shortened a hundredfold.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class K6ImportRunTests
{
    [Fact]
    public async Task ImportThenRun_SeedScript_RunsItsRequestChecksAndStagesAgainstTheDemoTarget()
    {
        await using DemoTargetProcess target = await ProbeProcess.StartDemoTargetAsync();
        string folder = ProbeProcess.TempFolder();
        File.Copy(Path.Combine(Repository.Root, "examples", "k6", "cutting-edge-load-test.js"), Path.Combine(folder, "load-test.js"));

        var (importExit, _, importErr) = await ProbeProcess.RunAsync(folder, "import", "k6", "load-test.js", "-o", "suite.json");
        Assert.True(importExit == 0, importErr);
        Assert.Contains("target api = https://api.cuttingedge.com", importErr, StringComparison.Ordinal);

        // 2m→10, 5m→50, 2m→0 at a hundredth: 1.2 s, 3 s, 1.2 s; the script's host is replaced, never called.
        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "suite.json", "--target", $"api={target.Address}", "--duration-scale", "0.01", "--out", "out", "--format", "json,csv");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        JsonElement scenario = summary.RootElement.GetProperty("scenarios").EnumerateArray().Single();
        JsonElement step = scenario.GetProperty("steps").EnumerateArray().Single();
        Assert.Equal("post-search", step.GetProperty("name").GetString());
        Assert.True(step.GetProperty("ok").GetInt64() > 100, step.ToString());
        Assert.Equal(step.GetProperty("count").GetInt64(), step.GetProperty("status_codes").GetProperty("200").GetInt64());
        JsonElement checks = summary.RootElement.GetProperty("checks").EnumerateArray().First();
        Assert.Contains("status == 200", checks.ToString(), StringComparison.Ordinal);

        // The load followed the stages: up to 50 copies (each opened one keep-alive connection), and back down.
        Assert.Equal(50, step.GetProperty("phases_ms").GetProperty("connect").GetProperty("count").GetInt32());
        double[] load = File.ReadAllLines(Path.Combine(folder, "out", "timeline.csv")).Skip(1)
            .Select(line => double.Parse(line.Split(',')[5], CultureInfo.InvariantCulture)).ToArray();
        Assert.True(load[0] <= 10 && load.Max() >= 40 && load[^1] < load.Max(), string.Join(", ", load));
    }
}
