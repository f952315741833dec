using System.Globalization;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Runner.Output;

/// <summary>
/// Live progress as plain lines, one per scenario every <c>interval</c> (every second on a terminal,
/// every 10 s otherwise, so CI logs stay short): elapsed/planned time, load, rps, errors, p50/p95/p99.
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
        string clock = p.PlannedDuration is { } planned ? $"{Clock(p.Elapsed)}/{Clock(planned)}" : Clock(p.Elapsed);
        foreach (ScenarioSnapshot s in p.Scenarios)
        {
            SecondSample? last = s.Iterations.Seconds.Count > 0 ? s.Iterations.Seconds[^1] : null;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[{clock}] {s.Name,-12} load {s.CurrentLoad,6:0.#}  {last?.Rps ?? 0,8:0.#} it/s  {s.Iterations.Count,8} done  {s.Iterations.ErrorRate * 100,6:0.##}% err  p50 {Ms(s.Iterations.Latency.P50Nanoseconds),7}  p95 {Ms(s.Iterations.Latency.P95Nanoseconds),7}  p99 {Ms(s.Iterations.Latency.P99Nanoseconds),7}"));
        }
    }

    private static string Clock(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);
}
