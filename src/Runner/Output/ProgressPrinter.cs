using System.Globalization;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Runner.Output;

/// <summary>
/// Live progress as plain lines (CI logs, files), every <c>interval</c> (every second on a terminal,
/// every 10 s otherwise, so CI logs stay short): a line for the run — elapsed of planned and time left
/// — then one per scenario with its load phase, the load now (copies or arrivals/s), iterations per
/// second, iterations done, errors and latency p50/p95/p99.
/// </summary>
internal sealed class ProgressPrinter(TextWriter output, TimeSpan interval)
{
    private TimeSpan _next;

    public void OnProgress(RunProgress p)
    {
        if (p.Elapsed < _next)
        {
            return;
        }

        // Half a second of slack: ticks come about a second apart, never exactly.
        _next = p.Elapsed + interval - TimeSpan.FromMilliseconds(500);
        output.WriteLine($"[{RunClock(p)}]");
        foreach (ScenarioSnapshot s in p.Scenarios)
        {
            SecondSample? last = s.Iterations.Seconds.Count > 0 ? s.Iterations.Seconds[^1] : null;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {s.Name,-12} {s.Phase ?? "done",-40} load {s.CurrentLoad,6:0.#}  {last?.Rps ?? 0,8:0.#} it/s  {s.Iterations.Count,8} done  {s.Iterations.ErrorRate * 100,6:0.##}% err  p50 {Ms(s.Iterations.Latency.P50Nanoseconds),7}  p95 {Ms(s.Iterations.Latency.P95Nanoseconds),7}  p99 {Ms(s.Iterations.Latency.P99Nanoseconds),7}"));
        }
    }

    /// <summary>"0:12 of 9:00, 8:48 left" (or just the elapsed time when a plan ends by iterations).</summary>
    internal static string RunClock(RunProgress p) => p.PlannedDuration is { } planned
        ? $"{Clock(p.Elapsed)} of {Clock(planned)}, {Clock(planned > p.Elapsed ? planned - p.Elapsed : TimeSpan.Zero)} left"
        : $"{Clock(p.Elapsed)} elapsed";

    internal static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);
}
