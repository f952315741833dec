using System.Globalization;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Runner.Output;

/// <summary>The text <c>probe run</c> prints at the end: each scenario's figures and failures, the thresholds, the load changes, why a run is invalid, and the verdict line.</summary>
internal static class RunSummaryText
{
    public static void Write(TextWriter log, RunResult result)
    {
        log.WriteLine();
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Name}: {s.Iterations.Count} iterations, {s.Iterations.Fail} failed ({s.Iterations.ErrorRate * 100:0.##}%), {s.Iterations.Rps:0.#}/s, latency p50 {Ms(s.Iterations.Latency.P50Nanoseconds)} p95 {Ms(s.Iterations.Latency.P95Nanoseconds)} p99 {Ms(s.Iterations.Latency.P99Nanoseconds)}"));
            foreach (StepSnapshot step in s.Steps.Where(x => x.Fail > 0))
            {
                log.WriteLine($"  {step.Name}: {step.Fail} of {step.Count} failed — {string.Join("; ", step.FailureMessages.Take(3))}");
            }
        }

        foreach (ThresholdResult t in result.Thresholds)
        {
            log.WriteLine($"{(t.Passed ? "  pass" : "  FAIL")}  {t.Subject}: {t.Expression} (observed {t.ObservedText}{(t.Note is null ? string.Empty : $"; {t.Note}")})");
        }

        foreach (LoadChange change in result.LoadChanges)
        {
            log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  load changed at {change.At.TotalSeconds:0.0}s: {change.Scenario} {change.Text} ({change.Source})"));
        }

        foreach (string reason in result.InvalidReasons)
        {
            log.WriteLine($"  invalid: {reason}");
        }
    }

    public static string VerdictLine(RunResult result) => result.Verdict switch
    {
        Verdict.Passed => $"PASSED: every threshold held (exit code 0)",
        Verdict.Failed => $"FAILED: {result.Thresholds.Count(t => !t.Passed)} threshold(s) failed: {string.Join("; ", result.Thresholds.Where(t => !t.Passed).Select(t => $"{t.Subject} {t.Expression} (observed {t.ObservedText})"))} (exit code 1)",
        _ => $"INVALID: {string.Join("; ", result.InvalidReasons.Concat(result.AbortReason is null ? [] : [$"aborted: {result.AbortReason}"]))} (exit code 3)",
    };

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);
}
