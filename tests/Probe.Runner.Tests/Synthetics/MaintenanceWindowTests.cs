using System.Globalization;
using System.Text.Json;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// A maintenance window over a failing check, as a user runs it: <c>probe synthetics</c> against the demo
/// target, scraped by a real Prometheus evaluating the rules <c>probe rules</c> wrote. The check keeps
/// running and its results are stored with the window's name, but it is out of the SLO and its alert is
/// held, while the same failure outside a window raises one.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class MaintenanceWindowTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task FailingCheckInAWindow_IsStoredMarked_LeftOutOfTheSlo_AndItsAlertHeld()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = Path.Combine(folder, "synthetics.json");
        DateTimeOffset now = DateTimeOffset.UtcNow;
        string from = now.AddHours(-1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        string to = now.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        File.WriteAllText(suite, $$"""
            {
              "version": 1,
              "suite": "synth",
              "targets": { "demo": { "url": "http://127.0.0.1:{{ProbeProcess.FreePort()}}", "demo": true } },
              "regions": ["local"],
              "scenarios": {
                "health": { "target": "demo", "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ], "schedule": { "every": "1s" } },
                "upgrading": { "target": "demo", "steps": [ { "name": "gone", "http": { "path": "/no/such/page" }, "checks": ["status == 200"] } ], "schedule": { "every": "1s" } },
                "broken": { "target": "demo", "steps": [ { "name": "gone", "http": { "path": "/no/such/page" }, "checks": ["status == 200"] } ], "schedule": { "every": "1s" } }
              },
              "slos": { "availability": { "kind": "availability", "objective": "99%", "window": "1d", "scenarios": ["health", "upgrading"] } },
              "maintenance": [ { "name": "db-upgrade", "from": "{{from}}", "to": "{{to}}", "scenarios": ["upgrading"] } ]
            }
            """);
        var (rules, rulesOut, rulesErr) = await ProbeProcess.RunAsync(folder, "rules", suite, "--out", "rules");
        Assert.True(rules == 0, rulesErr + rulesOut);

        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--refresh", "1s");
        JsonElement marked = await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result" && e.GetProperty("scenario").GetString() == "upgrading", Limit);
        Assert.False(marked.GetProperty("ok").GetBoolean());
        Assert.Equal("db-upgrade", marked.GetProperty("maintenance").GetString());
        JsonElement unmarked = await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result" && e.GetProperty("scenario").GetString() == "broken", Limit);
        Assert.False(unmarked.TryGetProperty("maintenance", out _));

        // Prometheus with the generated rules: the same failure pends as ProbeServiceDown for "broken", never for "upgrading".
        await using PrometheusServer prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{runner.Address!.Port}", bearerToken: null, [Path.Combine(folder, "rules", "probe-rules.yml")]);
        var down = await Poll.UntilAsync(_ => prometheus.QueryAsync("ALERTS{alertname=\"ProbeServiceDown\"}"), r => r.Any(a => a.Labels["scenario"] == "broken"), Limit);
        Assert.Equal(["broken"], down.Select(a => a.Labels["scenario"]));
        var held = await Poll.UntilAsync(_ => prometheus.QueryAsync("probe_maintenance"), r => r.Count == 3, Limit);
        Assert.Equal([("broken", 0.0), ("health", 0.0), ("upgrading", 1.0)], held.Select(m => (m.Labels["scenario"], m.Value)).OrderBy(m => m.Item1, StringComparer.Ordinal));
        Assert.Empty(await prometheus.QueryAsync("probe_success{scenario=\"upgrading\"} == 1")); // it is failing, and still reported
        Assert.Empty(await prometheus.QueryAsync("probe_check_runs_total{scenario=\"upgrading\"}"));
        Assert.NotEmpty(await prometheus.QueryAsync("probe_maintenance_runs_total{scenario=\"upgrading\",result=\"fail\"} > 0"));

        // The store keeps the runs, marked; the SLO over "health" and "upgrading" sees only health's successes.
        using var http = new HttpClient { BaseAddress = runner.Address };
        using JsonDocument results = JsonDocument.Parse(await Poll.UntilAsync(c => http.GetStringAsync("api/results?scenario=upgrading&limit=5", c), t => t.Contains("db-upgrade", StringComparison.Ordinal), Limit));
        Assert.All(results.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("db-upgrade", r.GetProperty("maintenance").GetString()));
        using JsonDocument status = JsonDocument.Parse(await Poll.UntilAsync(c => http.GetStringAsync("api/status", c), t => t.Contains("\"attainment\"", StringComparison.Ordinal), Limit));
        JsonElement slo = status.RootElement.GetProperty("slos")[0];
        Assert.Equal(1.0, slo.GetProperty("attainment").GetDouble());
        JsonElement window = Assert.Single(status.RootElement.GetProperty("maintenance").EnumerateArray());
        Assert.Equal(("db-upgrade", true, "upgrading"), (window.GetProperty("name").GetString(), window.GetProperty("active").GetBoolean(), window.GetProperty("scenarios")[0].GetString()));

        string page = await http.GetStringAsync(string.Empty);
        Assert.Contains("<h2>Maintenance</h2>", page, StringComparison.Ordinal);
        Assert.Contains("<td>db-upgrade</td><td>upgrading</td><td><span class=\"maintenance\">on now</span>", page, StringComparison.Ordinal);

        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
    }
}
