using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// Faults that used to stop storage for good or hide: a target's bytes the store refuses, a spool
/// that cannot save its drained position, a store that is down when the runner starts. Every
/// result the runner reports must end up stored exactly once, or (when the store refuses it for its
/// content) in the dead-letter file.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class StoreFaultTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Postgres_AnswersWithNulBytesAndOneTheStoreRefuses_TheRefusedOneIsQuarantinedAndEveryOtherStored()
    {
        // Every answer carries a NUL (PostgreSQL's text refuses it); every third carries "poison",
        // which a constraint on the table refuses (SQLSTATE 23514): content, not an outage.
        int served = 0;
        await using LoopbackServer target = await LoopbackServer.StartAsync(app => app.MapGet("/echo", () =>
            Microsoft.AspNetCore.Http.Results.Text($"{{\"status\":\"{(Interlocked.Increment(ref served) % 3 == 0 ? "poison" : "sick")}\\u0000\"}}", "application/json")));
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, target.Address);
        string database = await postgres.CreateDatabaseAsync();
        await MigrateAndPoisonAsync(folder, suite, database);

        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--store", "postgres:" + database, "--refresh", "1s");
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result_quarantined", Limit);
        await runner.WaitForResultsAsync(12, Limit);
        await runner.WaitForReadinessAsync((status, body) => status == 200 && body.GetProperty("spool_depth").GetInt64() == 0, Limit);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));

        IReadOnlyList<Guid> stored = await StoredIds.PostgresAsync(database);
        Guid[] quarantined = File.ReadAllLines(Path.Combine(folder, "probe-data", "dead-letter.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => { Assert.Contains("23514", e.GetProperty("error").GetString(), StringComparison.Ordinal); return e.GetProperty("result").GetProperty("id").GetGuid(); })
            .ToArray();
        Assert.NotEmpty(quarantined);
        Assert.True(stored.Count > quarantined.Length, $"stored {stored.Count}, quarantined {quarantined.Length}, logged {runner.ResultIds.Count}: {string.Join("\n", runner.Events.Where(e => e.GetProperty("event").GetString() != "result"))}");
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Empty(stored.Intersect(quarantined));
        Assert.Equal(runner.ResultIds.Order(), stored.Concat(quarantined).Order());
        Assert.Contains("sick\uFFFD", await StoredMessageAsync(database), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sqlite_SpoolCannotSaveItsDrainedPosition_ReadinessSaysSoAndNothingIsLostWhenItCanAgain()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        string file = Path.Combine(folder, "results.db");
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--store", "sqlite:" + file, "--refresh", "1s");
        await runner.WaitForResultsAsync(4, Limit);

        // A folder where the spool writes its position's temporary file: saving the position fails
        // (as an unwritable or full --data folder makes it), even for root.
        string blocker = Path.Combine(folder, "probe-data", "spool", "spool.offset.tmp");
        await Poll.UntilAsync(_ => Task.FromResult(TryMakeFolder(blocker)), made => made, Limit, TimeSpan.FromMilliseconds(10)); // the spool's own temporary file may be there for an instant
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "spool_drain_failed", Limit);
        var failing = await runner.WaitForReadinessAsync((status, body) => status == 503 && !body.GetProperty("spool_writable").GetBoolean(), Limit);
        Assert.True(failing.GetProperty("drain_alive").GetBoolean());
        Assert.False(string.IsNullOrEmpty(failing.GetProperty("spool_error").GetString()));
        using (var http = new HttpClient())
        {
            // The gauges follow at the next refresh (1 s).
            await Poll.UntilAsync(c => http.GetStringAsync(new Uri(runner.Address!, "metrics"), c), m => m.Contains("probe_synthetics_spool_writable 0\n", StringComparison.Ordinal) && m.Contains("probe_synthetics_drain_up 1\n", StringComparison.Ordinal), Limit);
        }

        int before = runner.ResultIds.Count;
        await runner.WaitForResultsAsync(before + 4, Limit); // checks go on; their results wait in the spool
        Directory.Delete(blocker);
        await runner.WaitForReadinessAsync((status, body) => status == 200 && body.GetProperty("spool_writable").GetBoolean() && body.GetProperty("spool_depth").GetInt64() == 0, Limit);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));

        IReadOnlyList<Guid> stored = await StoredIds.SqliteAsync(file);
        Assert.Equal(stored.Count, stored.Distinct().Count());
        Assert.Equal(runner.ResultIds.Order(), stored.Order());
    }

    [Fact]
    public async Task Postgres_DownWhenTheRunnerStarts_ItStartsSpoolsAndStoresEverythingOnceTheStoreIsBack()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        string database = await postgres.CreateDatabaseAsync();
        await postgres.Server.StopAsync();
        bool restarted = false;
        try
        {
            await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--store", "postgres:" + database, "--ready-bound", "5s", "--refresh", "1s");
            await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "store_unavailable_at_start", Limit);
            await runner.WaitForResultsAsync(4, Limit);
            var waiting = await runner.WaitForReadinessAsync((status, body) => status == 503 && body.GetProperty("spool_depth").GetInt64() > 0, Limit);
            Assert.False(waiting.GetProperty("store_up").GetBoolean());

            await postgres.Server.StartAgainAsync();
            restarted = true;
            await runner.WaitForReadinessAsync((status, body) => status == 200 && body.GetProperty("spool_depth").GetInt64() == 0, Limit);
            await runner.SignalAsync("TERM");
            Assert.Equal(0, await runner.WaitForExitAsync(Limit));

            IReadOnlyList<Guid> stored = await StoredIds.PostgresAsync(database);
            Assert.Equal(stored.Count, stored.Distinct().Count());
            Assert.Equal(runner.ResultIds.Order(), stored.Order());
        }
        finally
        {
            if (!restarted)
            {
                await postgres.Server.StartAgainAsync();
            }
        }
    }

    [Fact]
    public async Task Postgres_NoSuchDatabaseAtStart_IsBadInputNamingTheStore()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        var builder = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync()) { Database = "no_such_database" };

        var (exit, _, stderr) = await ProbeProcess.RunAsync(folder, "synthetics", suite, "--store", "postgres:" + builder.ConnectionString, "--for", "5s");

        Assert.Equal(2, exit);
        Assert.Contains("refuses this configuration", stderr, StringComparison.Ordinal);
        Assert.Contains("no_such_database", stderr, StringComparison.Ordinal);
    }

    private static bool TryMakeFolder(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>A suite of one check every second on the target's /echo, whose check always fails and quotes the answer.</summary>
    private static string Suite(string folder, Uri target)
    {
        string path = Path.Combine(folder, "echo.json");
        File.WriteAllText(path, $$"""
            {
              "suite": "echo",
              "targets": { "api": { "url": "{{target}}" } },
              "regions": ["local"],
              "scenarios": {
                "echo": {
                  "steps": [ { "name": "echo", "http": { "path": "/echo" }, "checks": ["body.status == \"healthy\""] } ],
                  "schedule": { "every": "1s" }
                }
              }
            }
            """);
        return path;
    }

    /// <summary>Makes the schema (a short run against the database), then adds a constraint that refuses any result quoting "poison".</summary>
    private static async Task MigrateAndPoisonAsync(string folder, string suite, string database)
    {
        var (exit, _, stderr) = await ProbeProcess.RunAsync(folder, "synthetics", suite, "--store", "postgres:" + database, "--for", "1s", "--data", Path.Combine(folder, "migrate"), "--listen", $"127.0.0.1:{ProbeProcess.FreePort()}");
        Assert.True(exit == 0, stderr);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("DELETE FROM probe_results; ALTER TABLE probe_results ADD CONSTRAINT no_poison CHECK (message IS NULL OR message NOT LIKE '%poison%')", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StoredMessageAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT message FROM probe_results WHERE message IS NOT NULL LIMIT 1", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
