using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// The runner's promise: a store outage or a crash loses no result and doubles none. Every result the
/// runner reports (it logs one only after it is safe in the spool) must be in the table exactly once.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class DurabilityTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task PostgresOutage_ThirtySeconds_EveryResultStoredExactlyOnce()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        string database = await postgres.CreateDatabaseAsync();
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--store", "postgres:" + database, "--ready-bound", "5s", "--refresh", "1s");
        await runner.WaitForResultsAsync(6, Limit);

        await postgres.Server.StopAsync();
        long outageStart = TimeProvider.System.GetTimestamp();
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "store_unavailable", Limit);
        var notReady = await runner.WaitForReadinessAsync((status, body) => status == 503 && body.GetProperty("spool_depth").GetInt64() > 0, Limit);
        Assert.False(notReady.GetProperty("store_up").GetBoolean());
        TimeSpan rest = TimeSpan.FromSeconds(30) - TimeProvider.System.GetElapsedTime(outageStart);
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest); // the outage itself lasts 30 s, as a real one would
        }

        int duringOutage = runner.ResultIds.Count;
        await postgres.Server.StartAgainAsync();
        await runner.WaitForReadinessAsync((status, body) => status == 200 && body.GetProperty("spool_depth").GetInt64() == 0, Limit);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));

        IReadOnlyList<Guid> logged = runner.ResultIds;
        IReadOnlyList<Guid> stored = await StoredIds.PostgresAsync(database);
        Assert.True(duringOutage >= 30, $"about 2 results a second for 30 s should have gone to the spool, saw {duringOutage}");
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Equal(logged.Order(), stored.Order());
    }

    [Fact]
    public async Task SqliteLockedThirtySeconds_EveryResultStoredExactlyOnce()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        string file = Path.Combine(folder, "results.db");
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--store", "sqlite:" + file, "--ready-bound", "5s", "--refresh", "1s");
        await runner.WaitForResultsAsync(6, Limit);

        // Another process's write transaction holds the database: the runner's writes time out and fail.
        await using (var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={file};Pooling=False"))
        {
            await holder.OpenAsync();
            await using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                await begin.ExecuteNonQueryAsync();
            }

            long outageStart = TimeProvider.System.GetTimestamp();
            await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "store_unavailable", Limit);
            var notReady = await runner.WaitForReadinessAsync((status, body) => status == 503 && body.GetProperty("spool_depth").GetInt64() > 0, Limit);
            Assert.Contains("locked", notReady.GetProperty("store_error").GetString(), StringComparison.Ordinal);
            TimeSpan rest = TimeSpan.FromSeconds(30) - TimeProvider.System.GetElapsedTime(outageStart);
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest); // the outage itself lasts 30 s
            }
        }

        await runner.WaitForReadinessAsync((status, body) => status == 200 && body.GetProperty("spool_depth").GetInt64() == 0, Limit);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));

        IReadOnlyList<Guid> stored = await StoredIds.SqliteAsync(file);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Equal(runner.ResultIds.Order(), stored.Order());
    }

    [Fact]
    public async Task Sigkill_SqliteStore_RestartLosesAndDoublesNothing() =>
        await KillAndRestartAsync(folder => ["--store", "sqlite:" + Path.Combine(folder, "results.db")], folder => StoredIds.SqliteAsync(Path.Combine(folder, "results.db")));

    [Fact]
    public async Task Sigkill_PostgresStore_RestartLosesAndDoublesNothing()
    {
        string database = await postgres.CreateDatabaseAsync();
        await KillAndRestartAsync(_ => ["--store", "postgres:" + database], _ => StoredIds.PostgresAsync(database));
    }

    private static async Task KillAndRestartAsync(Func<string, string[]> store, Func<string, Task<IReadOnlyList<Guid>>> read)
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        IReadOnlyList<Guid> first;
        await using (var runner = await SyntheticsProcess.StartAsync(folder, [suite, .. store(folder), "--refresh", "1s"]))
        {
            await runner.WaitForResultsAsync(10, Limit);
            await runner.KillAsync();
            first = runner.ResultIds;
        }

        await using (var again = await SyntheticsProcess.StartAsync(folder, [suite, .. store(folder), "--refresh", "1s"]))
        {
            await again.WaitForResultsAsync(6, Limit);
            await again.SignalAsync("TERM");
            Assert.Equal(0, await again.WaitForExitAsync(Limit));
            IReadOnlyList<Guid> stored = await read(folder);
            Guid[] logged = [.. first, .. again.ResultIds];

            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.Empty(logged.Except(stored));
            Assert.InRange(stored.Count - logged.Length, 0, 4); // at most the results spooled in the instant before the kill, before they were logged
        }
    }
}
