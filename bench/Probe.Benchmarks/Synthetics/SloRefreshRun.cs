using System.Diagnostics;
using System.Globalization;
using Probe.Scenarios.Suite;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.Exporter.Prometheus;
using Probe.TestUtils;
using Probe.Runner.Results;

namespace Probe.Benchmarks.Synthetics;

/// <summary>
/// <c>slo-refresh sqlite|postgres [days] [per-minute] [fail-every]</c>: fills a store with <c>days</c> of results at
/// <c>per-minute</c> checks a minute (200 scenarios × 3 regions; default 30 days at 1,000 a minute,
/// 43.2 million results; every <c>fail-every</c>th fails, default 97, 0 for a healthy fleet with none),
/// then times one whole synthetics refresh (<see cref="SloViews"/>): a latency and an availability SLO of
/// one scenario over the whole history, and the status page (each check's day, last result in each
/// region and the day's last failures). The first refresh rolls the history up (once); the steady state is measured after each further minute of results, as a running runner sees it.
/// </summary>
internal static class SloRefreshRun
{
    /// <summary>Every how many results one fails (0: none).</summary>
    private static long s_failEvery = 97;

    /// <summary>The SQL condition "result i fails", as <see cref="Results"/> decides it.</summary>
    private static string Fails => s_failEvery == 0 ? "0 = 1" : $"i % {s_failEvery} = 0";

    public static async Task<int> RunAsync(string[] args)
    {
        string kind = args.Length > 0 ? args[0] : "sqlite";
        int days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        int perMinute = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
        s_failEvery = args.Length > 3 ? long.Parse(args[3], CultureInfo.InvariantCulture) : 97;
        string folder = Path.Combine(Path.GetTempPath(), "probe-bench-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        await using PostgresServer? postgres = kind == "postgres" ? await PostgresServer.StartAsync() : null;
        IResultStore store = kind == "postgres" ? new PostgresResultStore(postgres!.ConnectionString) : new SqliteResultStore(Path.Combine(folder, "results.db"));
        await using (store)
        {
            await store.MigrateAsync(default);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset start = now - TimeSpan.FromDays(days);
            long total = (long)days * 24 * 60 * perMinute;
            long t0 = Stopwatch.GetTimestamp();
            await FillAsync(kind == "postgres" ? postgres!.ConnectionString : Path.Combine(folder, "results.db"), kind, start, perMinute, days);
            Console.WriteLine($"slo-refresh {kind}: {total:N0} results ({days} days at {perMinute:N0} a minute, {(s_failEvery == 0 ? "none failed" : $"1 in {s_failEvery} failed")}) made in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0} s");
            SuiteDefinition suite = Suite(days);
            double first = await RefreshAsync(store, suite, now);
            Console.WriteLine($"  first refresh (rolls up {days} days for both conditions, computes the timeslices once): {first:N0} ms");

            var steady = new List<double>();
            for (int minute = 1; minute <= 5; minute++)
            {
                await store.WriteAsync(Results(start, perMinute, total + ((minute - 1) * perMinute), perMinute), default); // through the store, as the runner writes
                steady.Add(await RefreshAsync(store, suite, now.AddMinutes(minute)));
            }

            steady.Sort();
            Console.WriteLine($"  steady refresh after each further minute: median {steady[2]:N0} ms (min {steady[0]:N0}, max {steady[^1]:N0})");
        }

        if (Environment.GetEnvironmentVariable("PROBE_BENCH_KEEP") == "1")
        {
            Console.Error.WriteLine($"  kept {folder}");
        }
        else
        {
            Directory.Delete(folder, recursive: true);
        }

        return 0;
    }

    /// <summary>
    /// The history, made inside the database a day at a time (the store's own writes would take an hour
    /// for 43 million rows): the same rows <see cref="Results"/> makes, in the store's schema and indexes.
    /// </summary>
    private static async Task FillAsync(string where, string kind, DateTimeOffset start, int perMinute, int days)
    {
        long perDay = 24L * 60 * perMinute;
        long startMicros = (start.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        for (int day = 0; day < days; day++)
        {
            (long from, long to) = (day * perDay, ((day + 1) * perDay) - 1);
            if (kind == "postgres")
            {
                await using var connection = new Npgsql.NpgsqlConnection(where);
                await connection.OpenAsync();
                await using var fill = new Npgsql.NpgsqlCommand($"""
                    INSERT INTO probe_results (id, started_at, suite, scenario, region, target, ok, duration_ms, reason, message, status, recheck, steps)
                    SELECT md5(i::text)::uuid, to_timestamp(({startMicros} + i * 60000000 / {perMinute}) / 1e6), 'bench', 's' || lpad(((i / 3) % 200)::text, 3, '0'),
                           (ARRAY['us-east', 'eu-west', 'ap-south'])[i % 3 + 1], 'api', NOT ({Fails}), 20 + i % 60,
                           CASE WHEN {Fails} THEN 'status' END, CASE WHEN {Fails} THEN 'HTTP 503' END, CASE WHEN {Fails} THEN 503 ELSE 200 END, false, '[]'::jsonb
                    FROM generate_series({from}::bigint, {to}::bigint) AS i;
                    """, connection) { CommandTimeout = 0 };
                await fill.ExecuteNonQueryAsync();
            }
            else
            {
                await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={where}");
                await connection.OpenAsync();
                await using var fill = connection.CreateCommand();
                fill.CommandTimeout = 0;
                fill.CommandText = $"""
                    PRAGMA cache_size = -1000000; PRAGMA synchronous = OFF;
                    WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to})
                    INSERT INTO probe_results (id, started_at, suite, scenario, region, target, ok, duration_ms, reason, message, status, recheck, steps)
                    SELECT printf('%032d', i), {startMicros} + i * 60000000 / {perMinute}, 'bench', printf('s%03d', (i / 3) % 200),
                           CASE i % 3 WHEN 0 THEN 'us-east' WHEN 1 THEN 'eu-west' ELSE 'ap-south' END, 'api', NOT ({Fails}), 20 + i % 60,
                           CASE WHEN {Fails} THEN 'status' END, CASE WHEN {Fails} THEN 'HTTP 503' END, CASE WHEN {Fails} THEN 503 ELSE 200 END, 0, '[]'
                    FROM n;
                    """;
                await fill.ExecuteNonQueryAsync();
            }

            Console.Error.WriteLine($"  day {day + 1} of {days} made");
        }

        if (kind == "postgres")
        {
            await using var connection = new Npgsql.NpgsqlConnection(where);
            await connection.OpenAsync();
            await using var analyze = new Npgsql.NpgsqlCommand("ANALYZE probe_results", connection) { CommandTimeout = 0 };
            await analyze.ExecuteNonQueryAsync();
        }
    }

    /// <summary>One whole synthetics refresh (SloViews, as the runner makes it): both SLOs over their window and the status page.</summary>
    private static async Task<double> RefreshAsync(IResultStore store, SuiteDefinition suite, DateTimeOffset now)
    {
        var views = new SloViews(store, new SyntheticsMetrics(new MetricRegistry(), suite.Name, []), new FakeTimeProvider(now), quorum: null);
        long t = Stopwatch.GetTimestamp();
        await views.RefreshAsync(suite, ["us-east"], default);
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }

    /// <summary>The 200 checks the history holds, with a latency and an availability SLO of one of them over the whole history.</summary>
    private static SuiteDefinition Suite(int days)
    {
        string scenarios = string.Join(",\n", Enumerable.Range(0, 200).Select(i =>
            $$"""    "s{{i:000}}": { "target": "api", "steps": [{ "name": "get", "http": { "path": "/" } }], "schedule": { "every": "12s" } }"""));
        return SuiteLoader.Parse($$"""
            { "version": 1, "suite": "bench", "targets": { "api": { "url": "http://127.0.0.1:9" } }, "regions": ["us-east", "eu-west", "ap-south"],
              "scenarios": {
            {{scenarios}}
              },
              "slos": {
                "fast": { "kind": "latency", "threshold": "50ms", "objective": "99%", "window": "{{days}}d", "scenarios": ["s007"] },
                "up": { "kind": "availability", "objective": "99%", "window": "{{days}}d", "scenarios": ["s007"] }
              }
            }
            """);
    }

    /// <summary>Results <paramref name="from"/> to from + count at <paramref name="perMinute"/> a minute from <paramref name="start"/>: 200 scenarios × 3 regions in turn.</summary>
    private static SyntheticResult[] Results(DateTimeOffset start, int perMinute, long from, int count) =>
        Enumerable.Range(0, count).Select(k =>
        {
            long i = from + k;
            DateTimeOffset at = start.AddTicks(i * TimeSpan.TicksPerMinute / perMinute);
            bool ok = s_failEvery == 0 || i % s_failEvery != 0;
            return new SyntheticResult(
                Guid.CreateVersion7(at), "bench", $"s{i / 3 % 200:000}", (i % 3) switch { 0 => "us-east", 1 => "eu-west", _ => "ap-south" }, "api",
                at, TimeSpan.FromMilliseconds(20 + (i % 60)), ok, ok ? null : "status", ok ? null : "HTTP 503", ok ? 200 : 503, []);
        }).ToArray();
}
