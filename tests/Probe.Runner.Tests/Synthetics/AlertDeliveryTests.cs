using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.TestUtils;
using Xunit;
using Xunit.Abstractions;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// Alerts delivered end to end, as a team deploys Probe: three runners (one per region) on a shared
/// PostgreSQL, each checking its own copy of the service; a real Prometheus scraping them with the rules
/// <c>probe rules</c> wrote; a real Alertmanager routing to a webhook. One region failing opens that
/// region's ticket and pages no one; two of three failing page (the N-of-M alert and the SLO burn rate)
/// within the time the rules promise, and both resolve after recovery; a check failing in a maintenance
/// window reaches nobody at all. Real time throughout (about eight minutes), so it is its own collection
/// and runs alone, after the others (<see cref="AlertDeliveryCollection"/>).
/// </summary>
[Collection(AlertDeliveryCollection.Name)]
public sealed class AlertDeliveryTests(ITestOutputHelper output)
{
    private static readonly string[] Regions = ["us-east", "eu-west", "ap-south"];

    [Fact]
    public async Task OneRegionIsATicket_TwoOfThreePageInTimeAndResolve_MaintenanceReachesNobody()
    {
        var healthy = new ConcurrentDictionary<string, bool>(Regions.Select(r => KeyValuePair.Create(r, true)));
        var notes = new ConcurrentQueue<Notification>();
        var clock = Stopwatch.StartNew();
        await using LoopbackServer hook = await LoopbackServer.StartAsync(app => app.MapPost("/hook", async (HttpContext context) =>
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
            foreach (JsonElement alert in body.RootElement.GetProperty("alerts").EnumerateArray())
            {
                notes.Enqueue(new Notification(clock.Elapsed, alert.GetProperty("status").GetString()!, alert.GetProperty("labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!)));
            }
        }));
        var targets = new List<LoopbackServer>();
        foreach (string region in Regions)
        {
            targets.Add(await LoopbackServer.StartAsync(app =>
            {
                app.MapGet("/health", () => healthy[region] ? Microsoft.AspNetCore.Http.Results.Ok("ok") : Microsoft.AspNetCore.Http.Results.StatusCode(503));
                app.MapGet("/upgrading", () => Microsoft.AspNetCore.Http.Results.StatusCode(503));
            }));
        }

        await using PostgresServer postgres = await PostgresServer.StartAsync();
        string folder = ProbeProcess.TempFolder();
        string suite = Path.Combine(folder, "alerts.json");
        File.WriteAllText(suite, $$"""
            {
              "version": 1,
              "suite": "alerts",
              "targets": { "api": { "url": "http://127.0.0.1:9" } },
              "regions": ["us-east", "eu-west", "ap-south"],
              "scenarios": {
                "health": { "target": "api", "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ], "schedule": { "every": "1s" } },
                "upgrading": { "target": "api", "steps": [ { "name": "upgrading", "http": { "path": "/upgrading" }, "checks": ["status == 200"] } ], "schedule": { "every": "1s" } }
              },
              "slos": { "availability": { "kind": "availability", "objective": "99.9%", "window": "30d", "scenarios": ["health", "upgrading"] } },
              "maintenance": [ { "name": "migration", "from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z", "scenarios": ["upgrading"] } ]
            }
            """);
        var (rules, rulesOut, rulesErr) = await ProbeProcess.RunAsync(folder, "rules", suite, "--out", "rules");
        Assert.True(rules == 0, rulesErr + rulesOut);

        var runners = new List<SyntheticsProcess>();
        try
        {
            for (int i = 0; i < Regions.Length; i++)
            {
                runners.Add(await SyntheticsProcess.StartAsync(folder, suite, "--region", Regions[i], "--target", $"api={targets[i].Address}", "--store", "postgres:" + postgres.ConnectionString, "--data", $"data-{Regions[i]}", "--refresh", "1s"));
            }

            await using AlertmanagerServer alertmanager = await AlertmanagerServer.StartAsync(new Uri(hook.Address, "hook"));
            await using PrometheusServer prometheus = await PrometheusServer.StartAsync(runners.Select(r => $"127.0.0.1:{r.Address!.Port}").ToArray(), bearerToken: null, [Path.Combine(folder, "rules", "probe-rules.yml")], alertmanager.Address);
            await Poll.UntilAsync(_ => prometheus.QueryAsync("probe_sli_ratio{slo=\"availability\",region=\"all\",window=\"5m\"} == 1"), r => r.Count == 3, TimeSpan.FromSeconds(90));

            // One region down: its ticket, no page.
            healthy["ap-south"] = false;
            TimeSpan blip = clock.Elapsed;
            Notification ticket = await ArrivalAsync(notes, n => n.Is("ProbeServiceDown", "firing") && n.Labels["region"] == "ap-south", TimeSpan.FromMinutes(3));
            Assert.Equal("P2", ticket.Labels["severity"]);
            Log($"one region down: its P2 ticket after {(ticket.At - blip).TotalSeconds:0} s");

            // Two of three down: both pages within what the rules promise.
            healthy["ap-south"] = true;
            healthy["us-east"] = false;
            healthy["eu-west"] = false;
            TimeSpan outage = clock.Elapsed;
            Assert.DoesNotContain(notes, n => n.Pages);
            Notification quorum = await ArrivalAsync(notes, n => n.Is("ProbeRegionsFailing", "firing"), TimeSpan.FromMinutes(3));
            Notification burn = await ArrivalAsync(notes, n => n.Is("ProbeSloBurnRatePage", "firing") && n.Labels["long_window"] == "1h", TimeSpan.FromMinutes(5));
            Log($"two of three down: ProbeRegionsFailing after {(quorum.At - outage).TotalSeconds:0} s, ProbeSloBurnRatePage (14.4x, 1h and 5m) after {(burn.At - outage).TotalSeconds:0} s");
            Assert.True(quorum.At - outage <= TimeSpan.FromSeconds(60 + 45), "ProbeRegionsFailing promises a page after 1 minute of failing");
            Assert.True(burn.At - outage <= TimeSpan.FromSeconds(120 + 60), "the 14.4x burn-rate page promises to fire 2 minutes after its windows cross");

            // Recovery: both resolve; the burn rate once its 5-minute window holds no bad minute.
            foreach (string region in Regions)
            {
                healthy[region] = true;
            }

            TimeSpan recovery = clock.Elapsed;
            Notification quorumResolved = await ArrivalAsync(notes, n => n.Is("ProbeRegionsFailing", "resolved"), TimeSpan.FromMinutes(2));
            Notification burnResolved = await ArrivalAsync(notes, n => n.Is("ProbeSloBurnRatePage", "resolved") && n.Labels["long_window"] == "1h", TimeSpan.FromMinutes(8));
            Log($"recovered: ProbeRegionsFailing resolved after {(quorumResolved.At - recovery).TotalSeconds:0} s, ProbeSloBurnRatePage after {(burnResolved.At - recovery).TotalSeconds:0} s");
            Assert.True(burnResolved.At - recovery <= TimeSpan.FromMinutes(7), "the burn-rate page resets once its 5-minute window is clean");

            // The check failing all along in its maintenance window reached nobody.
            Assert.DoesNotContain(notes, n => n.Labels.GetValueOrDefault("scenario") == "upgrading");
            Assert.Equal(3, (await prometheus.QueryAsync("probe_maintenance{scenario=\"upgrading\"} == 1")).Count);
        }
        finally
        {
            foreach (SyntheticsProcess runner in runners)
            {
                await runner.DisposeAsync();
            }

            foreach (LoopbackServer target in targets)
            {
                await target.DisposeAsync();
            }
        }
    }

    private void Log(string line) => output.WriteLine(line);

    /// <summary>The first notification (already here or still to come) that matches.</summary>
    private static Task<Notification> ArrivalAsync(ConcurrentQueue<Notification> notes, Func<Notification, bool> match, TimeSpan limit) =>
        Poll.UntilAsync(_ => Task.FromResult(notes.FirstOrDefault(match)), n => n is not null, limit, TimeSpan.FromMilliseconds(250))!;

    private sealed record Notification(TimeSpan At, string Status, IReadOnlyDictionary<string, string> Labels)
    {
        public bool Pages => Labels.GetValueOrDefault("severity") is "page" or "P0";

        public bool Is(string alert, string status) => Labels.GetValueOrDefault("alertname") == alert && Status == status;

        public override string ToString() => $"{At.TotalSeconds:0}s {Status} {string.Join(",", Labels.Select(l => $"{l.Key}={l.Value}"))}";
    }
}
