using System.Diagnostics;
using System.Globalization;
using Probe.Scenarios.Suite;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.TestUtils;

namespace Probe.Benchmarks.Synthetics;

/// <summary>
/// <c>slo-refresh sqlite|postgres [days] [per-minute]</c>: fills a store with <c>days</c> of results at
/// <c>per-minute</c> checks a minute (200 scenarios × 3 regions; default 30 days at 1,000 a minute,
/// 43.2 million results), then times what a synthetics refresh asks of it: a 30-day latency SLO of one
/// scenario and the status page's day in hours. The first refresh rolls the history up (once); the
/// steady state is measured after each further minute of results, as a running runner sees it.
/// </summary>
internal static class SloRefreshRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        string kind = args.Length > 0 ? args[0] : "sqlite";
        int days = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
        int perMinute = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1000;
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
            for (long written = 0; written < total; written += 10_000)
            {
                await store.WriteAsync(Results(start, perMinute, written, (int)Math.Min(10_000, total - written)), default);
                if (written % 5_000_000 == 0)
                {
                    Console.Error.WriteLine($"  {written:N0} of {total:N0} written ({Stopwatch.GetElapsedTime(t0).TotalSeconds:0} s)");
                }
            }

            Console.WriteLine($"slo-refresh {kind}: {total:N0} results ({days} days at {perMinute:N0} a minute) written in {Stopwatch.GetElapsedTime(t0).TotalSeconds:0} s");
            var slo = new SloSpec("fast", "latency", 0.99, TimeSpan.FromDays(days), ["s007"], TimeSpan.FromMilliseconds(50));
            (double first, int sloRows, int dayRows) = await RefreshAsync(store, slo, now);
            Console.WriteLine($"  first refresh (rolls up {days} days for both conditions): {first:N0} ms; the SLO reads {sloRows:N0} minutes, the day {dayRows:N0} hour slices");

            var steady = new List<double>();
            for (int minute = 1; minute <= 5; minute++)
            {
                await store.WriteAsync(Results(start, perMinute, total + ((minute - 1) * perMinute), perMinute), default);
                steady.Add((await RefreshAsync(store, slo, now.AddMinutes(minute))).Milliseconds);
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

    /// <summary>What a synthetics refresh reads: the SLO's window by minute, and the status page's day by hour.</summary>
    private static async Task<(double Milliseconds, int SloRows, int DayRows)> RefreshAsync(IResultStore store, SloSpec slo, DateTimeOffset now)
    {
        long t = Stopwatch.GetTimestamp();
        IReadOnlyList<ScenarioMinute> minutes = await store.MinutesAsync(now - slo.Window, now, SliCondition.For(slo), slo.Scenarios, default);
        Console.Error.WriteLine($"    slo {Stopwatch.GetElapsedTime(t).TotalMilliseconds:N0} ms");
        IReadOnlyList<ScenarioMinute> day = await store.MinutesAsync(now - TimeSpan.FromDays(1), now, SliCondition.None, null, default, slice: 60);
        return (Stopwatch.GetElapsedTime(t).TotalMilliseconds, minutes.Count, day.Count);
    }

    /// <summary>Results <paramref name="from"/> to from + count at <paramref name="perMinute"/> a minute from <paramref name="start"/>: 200 scenarios × 3 regions in turn.</summary>
    private static SyntheticResult[] Results(DateTimeOffset start, int perMinute, long from, int count) =>
        Enumerable.Range(0, count).Select(k =>
        {
            long i = from + k;
            DateTimeOffset at = start.AddTicks(i * TimeSpan.TicksPerMinute / perMinute);
            bool ok = i % 97 != 0;
            return new SyntheticResult(
                Guid.CreateVersion7(at), "bench", $"s{i / 3 % 200:000}", (i % 3) switch { 0 => "us-east", 1 => "eu-west", _ => "ap-south" }, "api",
                at, TimeSpan.FromMilliseconds(20 + (i % 60)), ok, ok ? null : "status", ok ? null : "HTTP 503", ok ? 200 : 503, []);
        }).ToArray();
}
