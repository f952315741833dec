using System.Diagnostics;
using System.Globalization;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.TestUtils;
using Probe.Runner.Results;

namespace Probe.Benchmarks.Synthetics;

/// <summary>
/// <c>store-ingest sqlite|postgres [results] [batch]</c>: writes check results into a store in batches,
/// as the spool drainer does (SQLite: prepared INSERT OR IGNORE in one transaction; PostgreSQL: binary
/// COPY into staging, then INSERT … ON CONFLICT DO NOTHING), and reports results per second.
/// PostgreSQL: PROBE_TEST_PG, or a throwaway cluster started with initdb (as the tests do).
/// </summary>
internal static class IngestRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        string kind = args.Length > 0 ? args[0] : "sqlite";
        int count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500_000;
        int batchSize = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5000;
        string folder = Path.Combine(Path.GetTempPath(), "probe-bench-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        await using PostgresServer? postgres = kind == "postgres" ? await PostgresServer.StartAsync() : null;
        IResultStore store = kind == "postgres" ? new PostgresResultStore(postgres!.ConnectionString) : new SqliteResultStore(Path.Combine(folder, "results.db"));
        await using (store)
        {
            await store.MigrateAsync(default);
            SyntheticResult[] template = Samples(batchSize);
            await store.WriteAsync(Fresh(template, -1), default); // warm-up: JIT, connection, statements
            long t0 = Stopwatch.GetTimestamp();
            for (int written = 0; written < count; written += batchSize)
            {
                await store.WriteAsync(Fresh(template, written), default);
            }

            double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            Console.WriteLine($"store-ingest {kind}: {count:N0} results in batches of {batchSize:N0} in {seconds:0.00} s = {count / seconds:N0} results/s");
            long t1 = Stopwatch.GetTimestamp();
            await store.WriteAsync(template, default);
            await store.WriteAsync(template, default);
            Console.WriteLine($"  replay of an already stored batch (idempotent, writes nothing): {Stopwatch.GetElapsedTime(t1).TotalMilliseconds / 2:0.0} ms per {batchSize:N0}");
        }

        Directory.Delete(folder, recursive: true);
        return 0;
    }

    internal static SyntheticResult[] Samples(int n)
    {
        DateTimeOffset start = DateTimeOffset.UtcNow;
        string[] scenarios = ["smoke", "rag", "balance", "transfer"];
        string[] regions = ["us-east", "eu-west", "ap-south"];
        return Enumerable.Range(0, n).Select(i => new SyntheticResult(
            Guid.CreateVersion7(start),
            "bench",
            scenarios[i % scenarios.Length],
            regions[i % regions.Length],
            "api",
            start.AddMilliseconds(i),
            TimeSpan.FromMilliseconds(20 + (i % 50)),
            i % 100 != 0,
            i % 100 != 0 ? null : "status",
            i % 100 != 0 ? null : "HTTP 503",
            i % 100 != 0 ? 200 : 503,
            [new StepRecord("health", i % 100 != 0, i % 100 != 0 ? null : "status", TimeSpan.FromMilliseconds(20), 200, null)])).ToArray();
    }

    /// <summary>The template with new ids and times, so every batch is new rows.</summary>
    internal static SyntheticResult[] Fresh(SyntheticResult[] template, int offset) =>
        template.Select((r, i) => r with { Id = Guid.CreateVersion7(r.StartedAt.AddMilliseconds(offset)), StartedAt = r.StartedAt.AddMilliseconds(offset + i) }).ToArray();
}
