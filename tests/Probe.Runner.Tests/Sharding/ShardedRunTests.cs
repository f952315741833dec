using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Probe.DemoTarget;
using Probe.DemoTarget.Faults;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Sharding;

/// <summary>
/// A load test as 4 shard processes coordinated through a real PostgreSQL, against the demo target:
/// the totals of all the shards' iterations, one merged report and verdict, a common start, and a killed shard
/// named in an invalid verdict.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class ShardedRunTests(PostgresFixture postgres)
{
    [Fact]
    public async Task FourShards_MergeToTheFiguresOfAllTheirIterations_StartingTogether()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync(new DemoTargetOptions { Faults = new FaultSettings { Latency = LatencyDistribution.Fixed(TimeSpan.FromMilliseconds(20)), RateLimit = int.MaxValue } });
        string folder = ProbeProcess.TempFolder();
        // The closed model with an iteration count: on 2 cores, five generators, PostgreSQL and the target side by side would trip the open model's lag bound.
        string suite = Suite(folder, target.Address, "\"load\": { \"iterations_for_constant\": { \"copies\": 8, \"iterations\": 400 } }");
        string coordinator = "postgres:" + await postgres.CreateDatabaseAsync();

        Task<(int, string, string)>[] shards = Enumerable.Range(0, 4)
            .Select(i => ProbeProcess.RunAsync(folder, "run", suite, "--out", $"shard{i}", "--quiet", "--shard", $"{i}/4", "--run-id", "r1", "--coordinator", coordinator))
            .ToArray();
        (int Code, string Out, string Err)[] ended = await Task.WhenAll(shards);

        // Every shard's own words when one fails: the one that broke the barrier is rarely the first.
        Assert.True(ended.All(e => e.Code == 0), string.Join("\n", ended.Select((e, i) => $"shard {i}: exit {e.Code}: {e.Err}{e.Out}")));

        var (merged, output, mergeErr) = await ProbeProcess.RunAsync(folder, "report", "merged", "--run-id", "r1", "--coordinator", coordinator);
        Assert.True(merged == 0, mergeErr + output);

        // The merged figures are those of all the shards' iterations together: the plan's 400, split
        // among the shards; the extremes of all; each percentile between the shards' own (a merge of
        // histograms, not an average of percentiles, which the extremes would catch). Not compared with
        // a run in one process: four processes on two cores wait on each other, and their latency with them.
        JsonElement all = Scenario(Path.Combine(folder, "merged", "summary.json")).GetProperty("iterations");
        JsonElement[] parts = Enumerable.Range(0, 4).Select(i => Scenario(Path.Combine(folder, $"shard{i}", "summary.json")).GetProperty("iterations")).ToArray();
        long total = all.GetProperty("count").GetInt64();
        Assert.Equal(400, total);
        Assert.Equal(parts.Sum(p => p.GetProperty("count").GetInt64()), total);
        JsonElement latency = all.GetProperty("latency_ms");
        double Of(JsonElement e, string figure) => e.GetProperty("latency_ms").GetProperty(figure).GetDouble();
        Assert.Equal(parts.Min(p => Of(p, "min")), latency.GetProperty("min").GetDouble());
        Assert.Equal(parts.Max(p => Of(p, "max")), latency.GetProperty("max").GetDouble());
        double mean = parts.Sum(p => p.GetProperty("count").GetInt64() * Of(p, "mean")) / total;
        Assert.InRange(latency.GetProperty("mean").GetDouble(), mean - 0.002, mean + 0.002); // each mean is rounded to 1 µs
        foreach (string percentile in new[] { "p50", "p90", "p99" })
        {
            Assert.InRange(latency.GetProperty(percentile).GetDouble(), parts.Min(p => Of(p, percentile)), parts.Max(p => Of(p, percentile)));
        }

        Assert.True(latency.GetProperty("min").GetDouble() >= 20, "no iteration is shorter than the target's fixed 20 ms");

        DateTime[] starts = await StartsAsync(coordinator, "r1");
        Assert.Equal(4, starts.Length);
        Assert.True((starts.Max() - starts.Min()).TotalMilliseconds <= 50, $"shards started {(starts.Max() - starts.Min()).TotalMilliseconds:0.0} ms apart");
    }

    [Theory]
    [InlineData(0, 3, "invalid: shard 2 of 3")]
    [InlineData(1, 0, "missing (allowed by the suite): shard 2 of 3")]
    public async Task ShardKilledMidRun_ReportNamesIt_VerdictInvalidUnlessTheSuiteAllowsIt(int allowMissing, int verdict, string expected)
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync(new DemoTargetOptions { Faults = new FaultSettings { RateLimit = int.MaxValue } });
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, target.Address, "\"load\": { \"keep_constant\": { \"copies\": 3, \"during\": \"6s\" } }", sharding: allowMissing);
        string coordinator = "postgres:" + await postgres.CreateDatabaseAsync();

        Task<(int, string, string)> first = ProbeProcess.RunAsync(folder, "run", suite, "--out", "shard0", "--quiet", "--shard", "0/3", "--run-id", "k1", "--coordinator", coordinator);
        Task<(int, string, string)> second = ProbeProcess.RunAsync(folder, "run", suite, "--out", "shard1", "--quiet", "--shard", "1/3", "--run-id", "k1", "--coordinator", coordinator);
        using Process doomed = Process.Start(new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "probe.dll"), "run", suite, "--out", "shard2", "--shard", "2/3", "--run-id", "k1", "--coordinator", coordinator])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        _ = doomed.StandardError.ReadToEndAsync();
        while (await doomed.StandardOutput.ReadLineAsync() is { } line && !line.Contains("started at", StringComparison.Ordinal))
        {
        }

        await WaitForSecondsAsync(coordinator, "k1", shard: 2); // it has streamed some figures before it dies

        doomed.Kill();
        await doomed.WaitForExitAsync();
        Assert.Equal(0, (await first).Item1);
        Assert.Equal(0, (await second).Item1);

        var (code, output, _) = await ProbeProcess.RunAsync(folder, "report", "merged", "--run-id", "k1", "--coordinator", coordinator);
        Assert.Equal(verdict, code);
        Assert.Contains(expected, output, StringComparison.Ordinal);
        Assert.Contains("did not finish", output, StringComparison.Ordinal);
        Assert.Contains("are kept in probe_shard_seconds", output, StringComparison.Ordinal);
        JsonElement merged = Scenario(Path.Combine(folder, "merged", "summary.json"));
        long kept = Scenario(Path.Combine(folder, "shard0", "summary.json")).GetProperty("iterations").GetProperty("count").GetInt64()
            + Scenario(Path.Combine(folder, "shard1", "summary.json")).GetProperty("iterations").GetProperty("count").GetInt64();
        Assert.Equal(kept, merged.GetProperty("iterations").GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task AbortOnFail_JudgedOnMergedFigures_StopsEveryShard()
    {
        await using DemoTargetHost healthy = await DemoTargetHost.StartAsync(new DemoTargetOptions { Faults = new FaultSettings { RateLimit = int.MaxValue } });
        await using DemoTargetHost failing = await DemoTargetHost.StartAsync(new DemoTargetOptions { Faults = new FaultSettings { ErrorRate = 1, RateLimit = int.MaxValue } });
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, healthy.Address, "\"load\": { \"keep_constant\": { \"copies\": 2, \"during\": \"30s\" } }",
            "{ \"expr\": \"error_rate < 10% over 2s\", \"abort_on_fail\": true, \"delay_abort_eval\": \"2s\" }");
        string coordinator = "postgres:" + await postgres.CreateDatabaseAsync();

        // Shard 1 meets a target that fails every request; a large share of all requests fail, past the 10 % that aborts.
        long started = Stopwatch.GetTimestamp();
        var shards = await Task.WhenAll(
            ProbeProcess.RunAsync(folder, "run", suite, "--out", "shard0", "--shard", "0/2", "--run-id", "a1", "--coordinator", coordinator),
            ProbeProcess.RunAsync(folder, "run", suite, "--out", "shard1", "--shard", "1/2", "--run-id", "a1", "--coordinator", coordinator, "--target", $"api={failing.Address}"));

        TimeSpan took = Stopwatch.GetElapsedTime(started);
        Assert.True(took < TimeSpan.FromSeconds(25), $"the shards should stop long before their 30 s; they took {took.TotalSeconds:F1} s. "
            + string.Join(" | ", shards.Select((s, i) => $"shard {i}: exit {s.Item1}, {s.Item2[Math.Max(0, s.Item2.Length - 600)..]} {s.Item3[Math.Max(0, s.Item3.Length - 600)..]}")));
        Assert.All(shards, s => Assert.Equal(3, s.Item1));
        Assert.All(shards, s => Assert.Contains("failed on the merged figures of all shards", s.Item2, StringComparison.Ordinal));
        var (code, output, _) = await ProbeProcess.RunAsync(folder, "report", "merged", "--run-id", "a1", "--coordinator", coordinator);
        Assert.Equal(3, code);
        Assert.Contains("INVALID", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingShard_BarrierTimesOutNamingIt()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, new Uri("http://127.0.0.1:1/"), "\"load\": { \"inject\": { \"rate\": \"1/s\", \"during\": \"1s\" } }");
        string coordinator = "postgres:" + await postgres.CreateDatabaseAsync();
        var (code, _, err) = await ProbeProcess.RunAsync(folder, "run", suite, "--shard", "1/3", "--run-id", "m1", "--coordinator", coordinator, "--barrier-timeout", "2s");
        Assert.Equal(3, code);
        Assert.Contains("shard(s) 0, 2 of 3 never registered", err, StringComparison.Ordinal);
    }

    private static string Suite(string folder, Uri target, string load, string threshold = "\"error_rate < 1%\"", int sharding = 0)
    {
        string path = Path.Combine(folder, "sharded.json");
        File.WriteAllText(path, $$"""
            { "version": 1, "suite": "sharded", "targets": { "api": { "url": "{{target}}" } }, "sharding": { "allow_missing_shards": {{sharding}} },
              "scenarios": { "search": { "target": "api",
                "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ],
                {{load}}, "thresholds": [{{threshold}}] } } }
            """);
        return path;
    }

    private static JsonElement Scenario(string summary)
    {
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(summary));
        return document.RootElement.GetProperty("scenarios")[0].Clone();
    }

    private static async Task WaitForSecondsAsync(string connection, string runId, int shard)
    {
        await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection["postgres:".Length..]) { Pooling = false }.ConnectionString);
        await db.OpenAsync();
        await Poll.UntilAsync(
            async cancellation =>
            {
                await using var query = new NpgsqlCommand("SELECT count(*) FROM probe_shard_seconds WHERE run_id = @run AND shard = @shard", db);
                query.Parameters.AddWithValue("run", runId);
                query.Parameters.AddWithValue("shard", shard);
                return (long)(await query.ExecuteScalarAsync(cancellation))!;
            },
            seconds => seconds > 0,
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(100));
    }

    private static async Task<DateTime[]> StartsAsync(string connection, string runId)
    {
        await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection["postgres:".Length..]) { Pooling = false }.ConnectionString);
        await db.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT started_at FROM probe_shards WHERE run_id = @run", db);
        query.Parameters.AddWithValue("run", runId);
        var list = new List<DateTime>();
        await using NpgsqlDataReader r = await query.ExecuteReaderAsync();
        while (await r.ReadAsync())
        {
            list.Add(r.GetDateTime(0));
        }

        return [.. list];
    }
}
