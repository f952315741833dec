using System.Diagnostics;
using Probe.Engine.Histograms;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;

namespace Probe.Benchmarks.Engine;

/// <summary>
/// <c>engine-rate [RATE] [SECONDS]</c>: an empty scenario under Inject at RATE/s (default 100,000)
/// for SECONDS (default 10), reporting the rate held, scheduler lag, validity, CPU and allocations.
/// </summary>
internal static class EngineRateRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int rate = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        int seconds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10;
        ScenarioDefinition scenario = Scenario
            .Create("empty", static _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(rate, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(seconds)));

        using var process = Process.GetCurrentProcess();
        TimeSpan cpuBefore = process.TotalProcessorTime;
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        int gen0Before = GC.CollectionCount(0);
        RunResult result = await LoadRunner.RunAsync([scenario]);
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        process.Refresh();
        TimeSpan cpu = process.TotalProcessorTime - cpuBefore;

        ScenarioSnapshot s = result.Scenario("empty");
        long expected = (long)rate * seconds;
        double held = s.Iterations.Count / result.Duration.TotalSeconds;
        Console.WriteLine($"engine-rate: Inject {rate:N0}/s for {seconds}s, empty scenario");
        Console.WriteLine($"  iterations       {s.Iterations.Count:N0} of {expected:N0} planned ({100.0 * s.Iterations.Count / expected:0.00} %), dropped {s.Dropped}");
        Console.WriteLine($"  rate held        {held:N0}/s over {result.Duration.TotalSeconds:0.000}s ({100.0 * held / rate:0.00} % of target)");
        Console.WriteLine($"  per second       min {s.Iterations.Seconds.Where(x => x.Duration >= TimeSpan.FromSeconds(0.99)).Min(x => x.Count):N0}, max {s.Iterations.Seconds.Max(x => x.Count):N0}");
        Console.WriteLine($"  scheduler lag    p50 {Ns(s.SchedulerLag.P50Nanoseconds)}  p99 {Ns(s.SchedulerLag.P99Nanoseconds)}  p99.9 {Ns(s.SchedulerLag.P999Nanoseconds)}  max {Ns(s.SchedulerLag.MaxNanoseconds)}");
        Console.WriteLine($"  latency          p50 {Ns(s.Iterations.Latency.P50Nanoseconds)}  p99 {Ns(s.Iterations.Latency.P99Nanoseconds)}");
        Console.WriteLine($"  valid            {result.IsValid} {string.Join("; ", result.InvalidReasons)}");
        Console.WriteLine($"  process CPU      {cpu.TotalSeconds:0.00}s ({cpu.TotalMilliseconds * 1000 / Math.Max(1, s.Iterations.Count):0.00} µs per iteration)");
        Console.WriteLine($"  allocated        {allocated:N0} B in all, {(double)allocated / Math.Max(1, s.Iterations.Count):0.00} B per iteration (includes per-second snapshots); gen0 GCs {GC.CollectionCount(0) - gen0Before}");
        return result.IsValid ? 0 : 3;
    }

    private static string Ns(long ns) => Probe.Engine.Timing.DurationText.FormatNanoseconds(ns);
}
