using System.Diagnostics;
using System.Globalization;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.Runner.Results;

namespace Probe.Benchmarks.Synthetics;

/// <summary>
/// <c>spool-memory [results]</c>: pushes results through the runner's real pipeline (hand-over, spool
/// with its disk flushes, drain into SQLite) as fast as it takes them, and prints the managed heap and
/// RSS every tenth of the way: memory must stay flat however many results pass.
/// </summary>
internal static class SpoolMemoryRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        string folder = Path.Combine(Path.GetTempPath(), "probe-bench-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        await using var store = new SqliteResultStore(Path.Combine(folder, "results.db"));
        await store.MigrateAsync(default);
        using ResultSpool spool = ResultSpool.Open(Path.Combine(folder, "spool"));
        var log = new SyntheticsLog(TextWriter.Null, TimeProvider.System, SyntheticsLog.LogLevel.Warn);
        await using var pipeline = new ResultPipeline(spool, store, new DeadLetters(Path.GetTempPath(), TimeProvider.System), TimeProvider.System, log);
        SyntheticResult[] template = IngestRun.Samples(1000);
        using var self = Process.GetCurrentProcess();
        long t0 = Stopwatch.GetTimestamp();
        Console.WriteLine($"spool-memory: {count:N0} results through hand-over → spool → SQLite");
        for (int sent = 0; sent < count; sent += template.Length)
        {
            foreach (SyntheticResult r in IngestRun.Fresh(template, sent))
            {
                await pipeline.SubmitAsync(r);
            }

            if ((sent + template.Length) % (count / 10) == 0)
            {
                self.Refresh();
                Console.WriteLine($"  {sent + template.Length,10:N0} results  heap {GC.GetTotalMemory(false) / 1048576.0,6:0.0} MB  RSS {self.WorkingSet64 / 1048576.0,6:0.0} MB  spool {spool.Depth,6:N0}  {Stopwatch.GetElapsedTime(t0).TotalSeconds,6:0.0} s");
            }
        }

        long left = await pipeline.FlushAsync(TimeSpan.FromMinutes(2));
        double seconds = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        self.Refresh();
        Console.WriteLine($"  done: {count / seconds:N0} results/s end to end, spool left {left}, peak RSS {self.PeakWorkingSet64 / 1048576.0:0.0} MB");
        Directory.Delete(folder, recursive: true);
        return 0;
    }
}
