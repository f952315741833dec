using Probe.Exporter.Prometheus;
using Probe.Exporter.Slo;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.Runner.Tests.Stores;
using Probe.Scenarios.Suite;
using Probe.TestUtils;
using Xunit;
using Probe.Runner.Results;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// The refresh reads settled hours as one tally each and the minutes at the windows' edges: every figure
/// it publishes must equal the same figure computed from the raw results, minute by minute.
/// </summary>
public abstract class SloViewsTests
{
    private protected abstract Task<IResultStore> OpenAsync();

    [Fact]
    public async Task Refresh_OverThirtyHours_EqualsTheFiguresOfTheRawResults()
    {
        SuiteDefinition suite = SuiteLoader.Parse("""
            {
              "version": 1, "suite": "views",
              "targets": { "api": { "url": "http://127.0.0.1:9" } },
              "regions": ["eu-west", "us-east", "ap-south"],
              "scenarios": {
                "health": { "target": "api", "steps": [ { "name": "health", "http": { "path": "/health" } } ], "schedule": { "every": "1m" } }
              },
              "slos": {
                "fast": { "kind": "latency", "threshold": "300ms", "objective": "95%", "window": "2d", "scenarios": ["health"] },
                "up": { "kind": "availability", "objective": "99%", "window": "2d", "scenarios": ["health"] }
              }
            }
            """);
        var random = new Random(20261202);
        DateTimeOffset now = ResultSamples.Start.AddHours(30).AddMinutes(17).AddSeconds(23);
        SyntheticResult[] results = Enumerable.Range(0, 30 * 60 + 17).SelectMany(minute => new[] { "eu-west", "us-east", "ap-south" }
            .Where(_ => random.Next(6) != 0)
            .Select(region => ResultSamples.Make((minute * 60) + random.Next(60), scenario: "health", region: region, ok: random.Next(8) != 0, ms: random.Next(50, 600))))
            .Where(r => r.StartedAt <= now)
            .ToArray();
        await using IResultStore store = await OpenAsync();
        await store.WriteAsync(results, default);

        var metrics = new SyntheticsMetrics(new MetricRegistry(), suite.Name, []);
        var clock = new FakeTimeProvider(now);
        var views = new SloViews(store, metrics, clock, quorum: null);
        await AssertRefreshAsync(results);

        // Late results for hours already read as hours (a spool drained after an outage): failures in every region
        // of one minute ten hours back, which turn that minute's timeslice bad. The next refresh must see them.
        long late = MinuteRollups.Minute(now) - 600;
        SyntheticResult[] drained = new[] { "eu-west", "us-east", "ap-south" }
            .Select(region => ResultSamples.Make((int)((late * 60) - (MinuteRollups.Minute(ResultSamples.Start) * 60)) + 30, scenario: "health", region: region, ok: false))
            .ToArray();
        await store.WriteAsync(drained, default);
        await AssertRefreshAsync([.. results, .. drained]);

        // Later refreshes: the windows' edges move into other hours, and an hour read whole before is read in minutes now.
        foreach (int minutes in new[] { 37, 61 })
        {
            clock.Advance(TimeSpan.FromMinutes(minutes));
            await AssertRefreshAsync([.. results, .. drained]);
        }

        async Task AssertRefreshAsync(SyntheticResult[] stored)
        {
            StatusSnapshot snapshot = await views.RefreshAsync(suite, ["eu-west"], default);
            long nowMinute = MinuteRollups.Minute(clock.GetUtcNow());
            MinuteTally[] truth = stored.GroupBy(r => (Minute: MinuteRollups.Minute(r.StartedAt), r.Region))
                .Select(g => new MinuteTally(g.Key.Minute, g.Key.Region, g.Count(), g.Count(r => r.Ok), g.Count(r => r.Ok && r.Duration < TimeSpan.FromMilliseconds(300))))
                .ToArray();

            // The status page: the last 60 minutes, the 24 clock hours up to now, and each of them.
            ScenarioStatus check = Assert.Single(snapshot.Checks);
            Assert.Equal(3, check.Regions.Count);
            foreach (RegionStatus region in check.Regions)
            {
                MinuteTally[] mine = truth.Where(t => t.Region == region.Region).ToArray();
                Assert.Equal(Ratio(mine.Where(t => t.Minute > nowMinute - 60)), region.LastHour);
                Assert.Equal(Ratio(mine.Where(t => t.Minute / 60 > (nowMinute / 60) - 24)), region.LastDay);
                Assert.Equal(
                    Enumerable.Range(0, 24).Select(h => Ratio(mine.Where(t => t.Minute / 60 == (nowMinute / 60) - 23 + h))),
                    region.History);
            }

            // Each SLO over each window, across regions (timeslices for availability, N = 2 of 3) and per region.
            foreach ((string slo, string label, long minutes) in new[] { ("fast", "5m", 5L), ("fast", "1h", 60L), ("fast", "1d", 1440L), ("fast", "2d", 2880L), ("up", "5m", 5L), ("up", "1h", 60L), ("up", "1d", 1440L), ("up", "2d", 2880L) })
            {
                MinuteTally[] window = truth.Where(t => t.Minute > nowMinute - minutes).ToArray();
                Sli all = slo == "fast" ? SloMath.Latency(window) : SloMath.Timeslices(window, quorum: 2);
                Assert.Equal(all.Ratio, metrics.SliRatio.WithLabels(suite.Name, slo, label, "all").Value, 12);
                foreach (string region in new[] { "eu-west", "us-east", "ap-south" })
                {
                    Sli one = slo == "fast" ? SloMath.Latency(window, region) : SloMath.Availability(window, region);
                    Assert.Equal(one.Ratio, metrics.SliRatio.WithLabels(suite.Name, slo, label, region).Value, 12);
                }
            }

            Sli fast = SloMath.Latency(truth.Where(t => t.Minute >= nowMinute - 2880));
            Assert.Equal(SloMath.ErrorBudgetRemaining(fast, 0.95), metrics.BudgetRemaining.WithLabels(suite.Name, "fast", "all").Value, 12);
            Sli up = SloMath.Timeslices(truth.Where(t => t.Minute >= nowMinute - 2880), quorum: 2);
            Assert.Equal(SloMath.ErrorBudgetRemaining(up, 0.99), metrics.BudgetRemaining.WithLabels(suite.Name, "up", "all").Value, 12);
        }
    }

    private static double? Ratio(IEnumerable<MinuteTally> tallies)
    {
        MinuteTally[] list = tallies.ToArray();
        long runs = list.Sum(t => t.Runs);
        return runs == 0 ? null : (double)list.Sum(t => t.Ok) / runs;
    }
}

[Collection(RealTimeCollection.Name)]
public sealed class SqliteSloViewsTests : SloViewsTests
{
    private protected override Task<IResultStore> OpenAsync() => TestStores.SqliteAsync();
}

[Collection(RealTimeCollection.Name)]
public sealed class PostgresSloViewsTests(PostgresFixture postgres) : SloViewsTests
{
    private protected override Task<IResultStore> OpenAsync() => TestStores.PostgresAsync(postgres);
}
