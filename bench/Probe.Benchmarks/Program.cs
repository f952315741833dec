using BenchmarkDotNet.Running;
using Probe.Benchmarks.Engine;

namespace Probe.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro-benchmarks (default: pass BenchmarkDotNet's own arguments, such as
/// <c>--filter *Histogram*</c>), or one of the load runs: <c>engine-rate</c>, <c>closed-users</c>,
/// <c>synthetics-schedule</c>, <c>store-ingest</c>, <c>spool-memory</c>, <c>slo-refresh</c>.
/// See bench/README.md.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "engine-rate" => await EngineRateRun.RunAsync(args[1..]),
        "closed-users" => await ClosedUsersRun.RunAsync(args[1..]),
        "serve-delay" => await ClosedUsersRun.ServeAsync(),
        "synthetics-schedule" => await Synthetics.ScheduleRun.RunAsync(args[1..]),
        "store-ingest" => await Synthetics.IngestRun.RunAsync(args[1..]),
        "spool-memory" => await Synthetics.SpoolMemoryRun.RunAsync(args[1..]),
        "slo-refresh" => await Synthetics.SloRefreshRun.RunAsync(args[1..]),
        _ => Run(args),
    };

    private static int Run(string[] args)
    {
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
