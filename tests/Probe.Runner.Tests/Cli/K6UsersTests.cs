using System.Text.Json;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

/// <summary>
/// A k6 user's first run: a suite with k6's thresholds object and stages, k6's --vus/--duration/--iterations
/// flags against the built-in demo target, and k6's --out json=FILE habit answered with the right flag.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class K6UsersTests
{
    private static string Suite(int port) => $$"""
        {
          "targets": { "shop": { "url": "http://127.0.0.1:{{port}}", "demo": true } },
          "scenarios": {
            "browse": {
              "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] },
                         { "name": "api", "http": { "path": "/api/health" }, "checks": ["status == 200"] } ],
              "load": { "stages": [ { "duration": "1s", "target": 2 }, { "duration": "1s", "target": 0 } ] },
              "thresholds": {
                "http_req_duration": ["p(95)<500", "avg<200"],
                "http_req_duration{name:api}": "med<300",
                "http_req_failed": ["rate<0.01"],
                "checks": [{ "threshold": "rate>0.99", "abortOnFail": true }],
                "http_reqs": "count>=20"
              }
            }
          }
        }
        """;

    [Fact]
    public async Task Run_VusAndIterations_SharesExactlyThatManyIterationsAndJudgesK6Thresholds()
    {
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "k6.json"), Suite(ProbeProcess.FreePort()));

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "k6.json", "--vus", "4", "--iterations", "10", "--out", "out", "--format", "json,csv");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        JsonElement scenario = summary.RootElement.GetProperty("scenarios").EnumerateArray().Single();
        Assert.Equal(10, scenario.GetProperty("iterations").GetProperty("count").GetInt32());
        var thresholds = summary.RootElement.GetProperty("thresholds").EnumerateArray()
            .ToDictionary(t => t.GetProperty("expression").GetString()!, t => (t.GetProperty("passed").GetBoolean(), t.GetProperty("observed_text").GetString()));
        Assert.Equal(
            ["http_req_duration p(95)<500", "http_req_duration avg<200", "http_req_duration med<300", "http_req_failed rate<0.01", "checks rate>0.99", "http_reqs count>=20"],
            thresholds.Keys);
        Assert.All(thresholds.Values, t => Assert.True(t.Item1));
        Assert.Equal("20", thresholds["http_reqs count>=20"].Item2); // two requests per iteration
        Assert.Equal("100%", thresholds["checks rate>0.99"].Item2);
        Assert.Equal(["stats.csv", "summary.json", "timeline.csv"], Directory.GetFiles(Path.Combine(folder, "out")).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Run_VusAndDuration_KeepsThatManyCopiesForThatLong()
    {
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "k6.json"), Suite(ProbeProcess.FreePort()));

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "k6.json", "--vus", "3", "--duration", "2s", "--out", "out", "--format", "csv");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        string[] timeline = File.ReadAllLines(Path.Combine(folder, "out", "timeline.csv"));
        int load = Array.IndexOf(timeline[0].Split(','), "load");
        Assert.Contains(timeline.Skip(1), row => row.Split(',')[load] == "3");
        Assert.DoesNotContain(timeline.Skip(1), row => double.TryParse(row.Split(',')[load], System.Globalization.CultureInfo.InvariantCulture, out double l) && l > 3);
    }

    [Theory]
    [InlineData("--out json=result.json", "--out is the folder for the run's files, not k6's 'json=…' output")]
    [InlineData("--vus 5", "--vus needs --duration (such as --vus 10 --duration 30s) or --iterations")]
    [InlineData("--vus 5 --duration 10s --iterations 3", "--duration and --iterations are two ways to end a run; give one")]
    [InlineData("--duration soon", "--duration takes a duration such as 30s or 5m, found 'soon'")]
    [InlineData("--format htm", "--format takes a comma-separated list of run, json, html, md, junit, prom, csv or all; found 'htm' (did you mean 'html'?)")]
    public async Task Run_K6HabitThatProbeReadsOtherwise_ExitsTwoAndSaysWhatToWrite(string arguments, string message)
    {
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "k6.json"), Suite(ProbeProcess.FreePort()));

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, ["run", "k6.json", .. arguments.Split(' ')]);

        Assert.True(exit == 2, $"exit {exit}\n{stdout}\n{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(folder, "results")));
    }
}
