using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.TestUtils;
using Xunit;

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

        var minutes = (await store.MinutesAsync(ResultSamples.Start, TimeSpan.FromMilliseconds(500), default))
            .OrderBy(m => m.Tally.Minute).ThenBy(m => m.Tally.Region).ToArray();
        long first = (ResultSamples.Start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMinute;
        Assert.Equal(
            [("smoke", first, "eu-west", 3L, 2L, 1L), ("smoke", first + 1, "eu-west", 1L, 1L, 1L), ("smoke", first + 1, "us-east", 1L, 1L, 1L)],
            minutes.Select(m => (m.Scenario, m.Tally.Minute, m.Tally.Region, m.Tally.Runs, m.Tally.Ok, m.Tally.Fast)));
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

public sealed class SqliteResultStoreTests : ResultStoreTests
{
    private protected override async Task<IResultStore> OpenAsync()
    {
        IResultStore store = StoreAddress.Open("sqlite:" + Path.Combine(ProbeProcess.TempFolder(), "results.db"));
        await store.MigrateAsync(default);
        return store;
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresResultStoreTests(PostgresFixture postgres) : ResultStoreTests
{
    private protected override async Task<IResultStore> OpenAsync()
    {
        string database = await postgres.CreateDatabaseAsync();
        IResultStore store = StoreAddress.Open("postgres:" + database);
        await store.MigrateAsync(default);
        return store;
    }
}
