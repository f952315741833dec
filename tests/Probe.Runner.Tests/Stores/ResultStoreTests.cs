using Probe.Runner.Stores;
using Probe.Scenarios.Suite;
using Probe.Runner.Synthetics;
using Probe.TestUtils;
using Xunit;
using Probe.Runner.Results;

namespace Probe.Runner.Tests.Stores;

/// <summary>The same contract for both stores: idempotent writes, per-minute tallies, recent results, retention.</summary>
public abstract class ResultStoreTests
{
    private protected abstract Task<IResultStore> OpenAsync();

    [Fact]
    public async Task Write_SameBatchTwice_StoresEachResultOnce()
    {
        await using IResultStore store = await OpenAsync();
        SyntheticResult[] batch = ResultSamples.Range(50);
        await store.WriteAsync(batch, default);
        await store.WriteAsync(batch[10..30], default);
        await store.WriteAsync(batch, default);

        IReadOnlyList<SyntheticResult> stored = await store.RecentAsync(new ResultQuery(Limit: 1000), default);
        Assert.Equal(50, stored.Count);
        Assert.Equal(batch.Reverse().Select(r => r.Id), stored.Select(r => r.Id));
        Assert.Equal(batch[0], stored[^1], ResultSpoolTests.ResultComparer.Instance);
    }

    [Fact]
    public async Task Minutes_TallyScheduledRunsPerScenarioRegionAndMinute()
    {
        await using IResultStore store = await OpenAsync();
        SyntheticResult[] batch =
        [
            ResultSamples.Make(0, ms: 100), ResultSamples.Make(10, ms: 700), ResultSamples.Make(20, ok: false),
            ResultSamples.Make(25, ok: false, recheck: true),
            ResultSamples.Make(65, ms: 50), ResultSamples.Make(70, region: "us-east", ms: 90),
        ];
        await store.WriteAsync(batch, default);

        var latency = new SloSpec("fast", "latency", 0.99, TimeSpan.FromDays(1), ["smoke"], TimeSpan.FromMilliseconds(500));
        var minutes = (await store.MinutesAsync(ResultSamples.Start, DateTimeOffset.UtcNow, SliCondition.For(latency), null, default))
            .OrderBy(m => m.Tally.Minute).ThenBy(m => m.Tally.Region).ToArray();
        long first = (ResultSamples.Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMinute;
        Assert.Equal(
            [("smoke", first, "eu-west", 3L, 2L, 1L), ("smoke", first + 1, "eu-west", 1L, 1L, 1L), ("smoke", first + 1, "us-east", 1L, 1L, 1L)],
            minutes.Select(m => (m.Scenario, m.Tally.Minute, m.Tally.Region, m.Tally.Runs, m.Tally.Ok, m.Tally.Fast)));
    }

    [Fact]
    public async Task Minutes_LeaveOutRunsInAMaintenanceWindow_WhichAreStoredWithTheWindowsName()
    {
        await using IResultStore store = await OpenAsync();
        SyntheticResult[] batch =
        [
            ResultSamples.Make(0), ResultSamples.Make(5, ok: false) with { Maintenance = "db-upgrade" },
            ResultSamples.Make(10, ok: false) with { Maintenance = "db-upgrade" }, ResultSamples.Make(15, ok: false),
        ];
        await store.WriteAsync(batch, default);

        var availability = new SloSpec("up", "availability", 0.99, TimeSpan.FromDays(1), ["smoke"], null);
        long first = MinuteRollups.Minute(ResultSamples.Start);

        // The minute still open (read from the results) and, later, settled (read from its rollup): 2 runs, 1 ok, either way.
        foreach (DateTimeOffset now in new[] { ResultSamples.Start.AddSeconds(30), ResultSamples.Start.AddHours(3) })
        {
            ScenarioMinute minute = Assert.Single(await store.MinutesAsync(ResultSamples.Start, now, SliCondition.For(availability), null, default));
            Assert.Equal((first, 2L, 1L), (minute.Tally.Minute, minute.Tally.Runs, minute.Tally.Ok));
        }

        IReadOnlyList<SyntheticResult> stored = await store.RecentAsync(new ResultQuery(Limit: 10), default);
        Assert.Equal([null, "db-upgrade", "db-upgrade", null], stored.Reverse().Select(r => r.Maintenance));
        Assert.Equal(batch[1], stored[2], ResultSpoolTests.ResultComparer.Instance);
    }

    [Fact]
    public async Task Minutes_TtftAndGoodputSlos_CountTheAnswersThatMetTheirObjectives()
    {
        await using IResultStore store = await OpenAsync();
        SyntheticResult[] batch =
        [
            ResultSamples.Make(0) with { Llm = new LlmOutcome(true, 200, 20, 600, 35) },   // good for both
            ResultSamples.Make(1) with { Llm = new LlmOutcome(true, 1500, 20, 1900, 11) }, // slow first token
            ResultSamples.Make(2) with { Llm = new LlmOutcome(true, 300, 80, 2000, 10) },  // slow decode
            ResultSamples.Make(3) with { Llm = new LlmOutcome(true, 250, null, 250, 4) },  // one token: no TPOT, met
            ResultSamples.Make(4, ok: false) with { Llm = new LlmOutcome(false, null, null, 30, null) },
            ResultSamples.Make(5), // asked no model
        ];
        await store.WriteAsync(batch, default);

        var ttft = new SloSpec("first-token", "ttft", 0.95, TimeSpan.FromDays(1), ["smoke"], TimeSpan.FromSeconds(1));
        var goodput = new SloSpec("goodput", "goodput", 0.95, TimeSpan.FromDays(1), ["smoke"], null)
        {
            Objectives = Probe.Engine.Thresholds.ThresholdParser.Parse("goodput(ttft < 1s, tpot < 50ms) > 0").Objectives,
        };
        Assert.Equal((6L, 3L), Single(await store.MinutesAsync(ResultSamples.Start, DateTimeOffset.UtcNow, SliCondition.For(ttft), null, default)));
        Assert.Equal((6L, 2L), Single(await store.MinutesAsync(ResultSamples.Start, DateTimeOffset.UtcNow, SliCondition.For(goodput), null, default)));
        Assert.Equal(batch[2].Llm, (await store.RecentAsync(new ResultQuery(Limit: 10), default)).Single(r => r.Id == batch[2].Id).Llm);

        static (long Runs, long Good) Single(IReadOnlyList<ScenarioMinute> minutes) => (Assert.Single(minutes).Tally.Runs, minutes[0].Tally.Fast);
    }

    [Fact]
    public async Task Minutes_FromRollupsAndRecentResults_EqualTheResultsWritten_AsLateOnesArrive()
    {
        await using IResultStore store = await OpenAsync();
        var random = new Random(20261202);
        SyntheticResult Random(int second) => ResultSamples.Make(
            second, scenario: random.Next(3) == 0 ? "rag" : "smoke", region: random.Next(2) == 0 ? "eu-west" : "us-east",
            ok: random.Next(5) != 0, ms: random.Next(50, 1000), recheck: random.Next(10) == 0);
        var written = new List<SyntheticResult>();
        async Task WriteAsync(IEnumerable<SyntheticResult> batch)
        {
            SyntheticResult[] list = batch.ToArray();
            await store.WriteAsync(list, default);
            written.AddRange(list);
        }

        var fast = new SloSpec("fast", "latency", 0.99, TimeSpan.FromDays(1), ["smoke"], TimeSpan.FromMilliseconds(500));
        var faster = new SloSpec("faster", "latency", 0.99, TimeSpan.FromDays(1), ["smoke"], TimeSpan.FromMilliseconds(200));
        await WriteAsync(Enumerable.Range(0, 200).Select(_ => Random(random.Next(0, 20 * 60))));

        // Now 12 minutes in: minutes 0–6 are rolled up, the rest read from the results.
        await AssertMinutesAsync(ResultSamples.Start.AddMinutes(12), fast, null);
        await AssertMinutesAsync(ResultSamples.Start.AddMinutes(12), fast, ["smoke"]);

        // Late results for rolled-up minutes (a drained spool) and new ones; the rollups follow.
        await WriteAsync(Enumerable.Range(0, 30).Select(_ => Random(random.Next(0, 5 * 60))));
        await WriteAsync(Enumerable.Range(0, 50).Select(_ => Random(random.Next(20 * 60, 25 * 60))));
        await AssertMinutesAsync(ResultSamples.Start.AddMinutes(12), fast, null);
        await AssertMinutesAsync(ResultSamples.Start.AddHours(1), fast, ["rag"]);
        await WriteAsync(Enumerable.Range(0, 30).Select(_ => Random(random.Next(0, 25 * 60))));
        await AssertMinutesAsync(ResultSamples.Start.AddHours(1), fast, null);

        // A condition first asked for after the results exist is rolled up from the first result.
        await AssertMinutesAsync(ResultSamples.Start.AddHours(1), faster, null);

        // Retention takes the rollups of the minutes it deletes.
        await store.DeleteBeforeAsync(ResultSamples.Start.AddMinutes(10), default);
        written.RemoveAll(r => r.StartedAt < ResultSamples.Start.AddMinutes(10));
        await AssertMinutesAsync(ResultSamples.Start.AddHours(1), fast, null);

        // Five hours on, a new condition is rolled up an hour per transaction (MinuteRollups.Chunk) to the same answer.
        var fastest = new SloSpec("fastest", "latency", 0.99, TimeSpan.FromDays(1), ["smoke"], TimeSpan.FromMilliseconds(100));
        await AssertMinutesAsync(ResultSamples.Start.AddHours(5), fastest, null);
        await AssertMinutesAsync(ResultSamples.Start.AddHours(5), fast, ["smoke"]);

        async Task AssertMinutesAsync(DateTimeOffset now, SloSpec slo, string[]? scenarios)
        {
            long start = (ResultSamples.Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMinute;
            var expected = written.DistinctBy(r => r.Id).Where(r => !r.Recheck && (scenarios is null || scenarios.Contains(r.Scenario)))
                .GroupBy(r => (r.Scenario, r.Region, Minute: start + (long)(r.StartedAt - ResultSamples.Start).TotalMinutes))
                .Select(g => (g.Key.Scenario, g.Key.Minute, g.Key.Region, (long)g.Count(), (long)g.Count(r => r.Ok), (long)g.Count(r => r.Ok && r.Duration < slo.LatencyThreshold)))
                .Order();
            IReadOnlyList<ScenarioMinute> minutes = await store.MinutesAsync(ResultSamples.Start, now, SliCondition.For(slo), scenarios, default);
            Assert.Equal(expected, minutes.Select(m => (m.Scenario, m.Tally.Minute, m.Tally.Region, m.Tally.Runs, m.Tally.Ok, m.Tally.Fast)).Order());

            // Settled clock hours as one tally each: every window from an edge, every clock hour and the whole span sum
            // as the minutes do; an edge inside an hour keeps that hour in minutes.
            long nowMinute = MinuteRollups.Minute(now);
            foreach (long[] edges in new[] { [], new[] { start + 7, nowMinute - 59, nowMinute - 4 } })
            {
                IReadOnlyList<ScenarioMinute> tallies = await store.MinutesAsync(ResultSamples.Start, now, SliCondition.For(slo), scenarios, default, edges);
                var got = tallies.Select(m => (m.Scenario, m.Tally.Minute, m.Tally.Region, m.Tally.Runs, m.Tally.Ok, m.Tally.Fast)).ToArray();
                foreach (long edge in edges.Append(start))
                {
                    Assert.Equal(Sums(expected.Where(e => e.Minute >= edge), _ => 0), Sums(got.Where(e => e.Minute >= edge), _ => 0));
                }

                Assert.Equal(Sums(expected, e => e.Minute / 60), Sums(got, e => e.Minute / 60));
                bool settledHours = MinuteRollups.SettledEnd(now) / 60 > start / 60 && expected.Any();
                bool edgeInFirstHour = edges.Any(e => e / 60 == start / 60 && e % 60 != 0);
                Assert.Equal(settledHours && !edgeInFirstHour, got.Length < expected.Count());
            }
        }

        static IEnumerable<(string, string, long, long, long, long)> Sums(IEnumerable<(string Scenario, long Minute, string Region, long Runs, long Ok, long Fast)> tallies, Func<(string Scenario, long Minute, string Region, long Runs, long Ok, long Fast), long> bucket) =>
            tallies.GroupBy(e => (e.Scenario, e.Region, Bucket: bucket(e)))
                .Select(g => (g.Key.Scenario, g.Key.Region, g.Key.Bucket, g.Sum(e => e.Runs), g.Sum(e => e.Ok), g.Sum(e => e.Fast)))
                .Order();
    }

    [Fact]
    public async Task Day_EqualsTheResultsWritten_AsHoursSettleAndLateOnesArrive()
    {
        await using IResultStore store = await OpenAsync();
        var random = new Random(20261203);
        SyntheticResult Random(int second) => ResultSamples.Make(
            second, scenario: random.Next(3) == 0 ? "rag" : "smoke", region: random.Next(2) == 0 ? "eu-west" : "us-east",
            ok: random.Next(5) != 0, recheck: random.Next(10) == 0) with { Maintenance = random.Next(20) == 0 ? "upgrade" : null };
        var written = new List<SyntheticResult>();
        async Task WriteAsync(int count, int fromSecond, int toSecond)
        {
            SyntheticResult[] batch = Enumerable.Range(0, count).Select(_ => Random(random.Next(fromSecond, toSecond))).ToArray();
            await store.WriteAsync(batch, default);
            written.AddRange(batch);
        }

        // Results over three and a half hours from 10:00; the day asked for at times that put the last 60 minutes
        // inside unsettled minutes, across an hour edge, over settled hours, and with the first hours out of the day.
        await WriteAsync(400, 0, 210 * 60);
        await AssertDayAsync(ResultSamples.Start.AddMinutes(20));
        await AssertDayAsync(ResultSamples.Start.AddMinutes(95.5));
        await AssertDayAsync(ResultSamples.Start.AddMinutes(211));

        // Late results for hours already rolled up (a drained spool), and new ones.
        await WriteAsync(60, 0, 120 * 60);
        await WriteAsync(40, 205 * 60, 215 * 60);
        await AssertDayAsync(ResultSamples.Start.AddMinutes(216));
        await AssertDayAsync(ResultSamples.Start.AddHours(25.5));

        async Task AssertDayAsync(DateTimeOffset now)
        {
            long nowMinute = MinuteRollups.Minute(now), firstHour = (nowMinute / 60) - 23;
            SyntheticResult[] counted = written.DistinctBy(r => r.Id).Where(r => !r.Recheck && r.Maintenance is null && MinuteRollups.Minute(r.StartedAt) <= nowMinute).ToArray();
            var expected = counted.GroupBy(r => (r.Scenario, r.Region)).Where(g => g.Any(r => MinuteRollups.Minute(r.StartedAt) / 60 >= firstHour)).Select(g =>
            {
                SyntheticResult[] hour = g.Where(r => MinuteRollups.Minute(r.StartedAt) > nowMinute - 60).ToArray();
                var strip = Enumerable.Range(0, 24).Select(h => g.Where(r => MinuteRollups.Minute(r.StartedAt) / 60 == firstHour + h).ToArray());
                return (g.Key.Scenario, g.Key.Region, string.Join(",", strip.Select(s => $"{s.Count(r => r.Ok)}/{s.Length}")), hour.Length, hour.Count(r => r.Ok));
            }).Order().ToArray();

            IReadOnlyCollection<CheckDay> day = await store.DayAsync(now, default);
            var got = day.Select(d => (d.Scenario, d.Region, string.Join(",", Enumerable.Range(0, 24).Select(h => $"{d.Ok[h]}/{d.Runs[h]}")), (int)d.HourRuns, (int)d.HourOk)).Order().ToArray();
            Assert.NotEmpty(expected);
            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public async Task Recent_FiltersByScenarioRegionAndFailures()
    {
        await using IResultStore store = await OpenAsync();
        await store.WriteAsync([ResultSamples.Make(1), ResultSamples.Make(2, ok: false), ResultSamples.Make(3, region: "us-east", ok: false), ResultSamples.Make(4, scenario: "rag")], default);

        IReadOnlyList<SyntheticResult> failures = await store.RecentAsync(new ResultQuery(FailuresOnly: true), default);
        Assert.Equal([(3, "us-east"), (2, "eu-west")], failures.Select(r => ((int)(r.StartedAt - ResultSamples.Start).TotalSeconds, r.Region)));
        Assert.Equal("HTTP 503 from \"/health\"\nretry later", failures[0].Message);
        IReadOnlyList<SyntheticResult> last = await store.RecentAsync(new ResultQuery("smoke", "eu-west", Limit: 1), default);
        Assert.Equal(ResultSamples.Start.AddSeconds(2), Assert.Single(last).StartedAt);
    }

    [Fact]
    public async Task Recent_FailuresAmongManySuccesses_EachFilterGivesTheNewestMatches()
    {
        // A healthy fleet: the failures are a few among thousands (the status page asks for the day's last 20).
        await using IResultStore store = await OpenAsync();
        string[] scenarios = ["smoke", "rag", "login"];
        string[] regions = ["eu-west", "us-east"];
        SyntheticResult[] written = Enumerable.Range(0, 3000)
            .Select(i => ResultSamples.Make(i, scenarios[i % 3], regions[i / 3 % 2], ok: i % 250 != 7 && i % 401 != 5))
            .ToArray();
        await store.WriteAsync(written, default);

        foreach (ResultQuery q in new ResultQuery[]
        {
            new(FailuresOnly: true, Limit: 20),
            new(FailuresOnly: true, Limit: 3, Since: ResultSamples.Start.AddSeconds(1500)),
            new("rag", FailuresOnly: true),
            new("smoke", "us-east", FailuresOnly: true),
            new(Region: "eu-west", FailuresOnly: true, Limit: 4),
            new("login", "eu-west", Limit: 5, Since: ResultSamples.Start.AddSeconds(2990)),
            new(Region: "us-east", Limit: 7),
        })
        {
            int[] expected = written
                .Where(r => (!q.FailuresOnly || !r.Ok) && (q.Scenario is null || r.Scenario == q.Scenario) && (q.Region is null || r.Region == q.Region))
                .Where(r => q.Since is null || r.StartedAt >= q.Since)
                .OrderByDescending(r => r.StartedAt).Take(q.Limit)
                .Select(r => (int)(r.StartedAt - ResultSamples.Start).TotalSeconds).ToArray();
            IReadOnlyList<SyntheticResult> got = await store.RecentAsync(q, default);
            Assert.NotEmpty(expected);
            Assert.Equal(expected, got.Select(r => (int)(r.StartedAt - ResultSamples.Start).TotalSeconds));
        }
    }

    [Fact]
    public async Task Latest_IsTheNewestResultOfEachScenarioAndRegion()
    {
        await using IResultStore store = await OpenAsync();
        await store.WriteAsync(
        [
            ResultSamples.Make(1), ResultSamples.Make(5, ok: false), ResultSamples.Make(3),
            ResultSamples.Make(2, region: "us-east"), ResultSamples.Make(7, region: "us-east", recheck: true),
            ResultSamples.Make(4, scenario: "rag"), ResultSamples.Make(9, scenario: "other"),
        ], default);

        IReadOnlyList<SyntheticResult> latest = await store.LatestAsync(["smoke", "rag", "gone"], ["eu-west", "us-east"], default);
        Assert.Equal(
            [("rag", "eu-west", 4), ("smoke", "eu-west", 5), ("smoke", "us-east", 7)],
            latest.Select(r => (r.Scenario, r.Region, (int)(r.StartedAt - ResultSamples.Start).TotalSeconds)).Order());
        Assert.False(latest.Single(r => r.Scenario == "smoke" && r.Region == "eu-west").Ok);
        Assert.Empty(await store.LatestAsync([], ["eu-west"], default));
    }

    [Fact]
    public async Task DeleteBefore_RemovesOnlyOlderResults()
    {
        await using IResultStore store = await OpenAsync();
        await store.WriteAsync(ResultSamples.Range(10), default);
        Assert.Equal(4, await store.DeleteBeforeAsync(ResultSamples.Start.AddSeconds(4), default));
        Assert.Equal(6, (await store.RecentAsync(new ResultQuery(Limit: 100), default)).Count);
    }

    [Fact]
    public async Task Migrate_Twice_IsHarmless()
    {
        await using IResultStore store = await OpenAsync();
        await store.MigrateAsync(default);
        await store.WriteAsync([ResultSamples.Make(1)], default);
        Assert.Single(await store.RecentAsync(new ResultQuery(), default));
    }
}

[Collection(RealTimeCollection.Name)]
public sealed class SqliteResultStoreTests : ResultStoreTests
{
    private protected override Task<IResultStore> OpenAsync() => TestStores.SqliteAsync();
}

[Collection(RealTimeCollection.Name)]
public sealed class PostgresResultStoreTests(PostgresFixture postgres) : ResultStoreTests
{
    private protected override Task<IResultStore> OpenAsync() => TestStores.PostgresAsync(postgres);
}
