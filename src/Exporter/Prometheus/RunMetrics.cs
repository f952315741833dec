using Probe.Engine.Histograms;
using Probe.Engine.Scenarios;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// <c>metrics.prom</c>: a run's final figures in the Prometheus text format, with DESIGN.md's names
/// (base units, <c>_total</c> counters, <c>probe_</c> prefix) and labels (suite, scenario, step,
/// region, result, reason, phase), for a Pushgateway or a textfile collector.
/// </summary>
public static class RunMetrics
{
    /// <summary>The histogram buckets of <c>probe_check_duration_seconds</c>, in seconds.</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly (string Label, double Quantile, Func<LatencySummary, long> Read)[] Quantiles =
    [
        ("0.5", 0.5, s => s.P50Nanoseconds), ("0.9", 0.9, s => s.P90Nanoseconds), ("0.95", 0.95, s => s.P95Nanoseconds), ("0.99", 0.99, s => s.P99Nanoseconds),
    ];

    /// <summary>Renders the run; the report's latency buckets (seconds) join the duration buckets, so latency SLO thresholds are bucket bounds.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        double[] buckets = DurationBuckets.Concat(report.LatencyBuckets).Distinct().Order().ToArray();
        var x = new TextExposition();
        (string, string) suite = ("suite", info.Suite);
        (string, string) region = ("region", info.Region);

        x.Family("probe_run_info", "gauge", "Probe run metadata; always 1.")
            .Sample("probe_run_info", [suite, region, ("version", info.ProbeVersion)], 1);
        x.Family("probe_gate_verdict", "gauge", "The run's gate verdict: 1 pass, 0 fail or invalid.")
            .Sample("probe_gate_verdict", [suite, ("gate", "thresholds")], result.Verdict == Verdict.Passed ? 1 : 0);
        x.Family("probe_run_valid", "gauge", "1 when the generator held its schedule and dropped nothing, else 0.")
            .Sample("probe_run_valid", [suite, region], result.IsValid ? 1 : 0);
        x.Family("probe_success", "gauge", "1 when every iteration of the scenario succeeded in this run, else 0 (blackbox_exporter style).");
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            x.Sample("probe_success", [suite, ("scenario", s.Name), region], s.Iterations.Fail == 0 && s.Iterations.Count > 0 ? 1 : 0);
        }

        x.Family("probe_duration_seconds", "gauge", "The run's duration in seconds.")
            .Sample("probe_duration_seconds", [suite, region], result.Duration.TotalSeconds);

        x.Family("probe_check_runs_total", "counter", "Step results by outcome.");
        foreach ((ScenarioSnapshot s, StepSnapshot step) in Steps(result))
        {
            x.Sample("probe_check_runs_total", [suite, ("scenario", s.Name), ("step", step.Name), region, ("result", "ok")], step.Ok);
            x.Sample("probe_check_runs_total", [suite, ("scenario", s.Name), ("step", step.Name), region, ("result", "fail")], step.Fail);
        }

        x.Family("probe_check_failures_total", "counter", "Failed step results by reason.");
        foreach ((ScenarioSnapshot s, StepSnapshot step) in Steps(result))
        {
            foreach ((FailureReason reason, long n) in step.FailureReasons)
            {
                x.Sample("probe_check_failures_total", [suite, ("scenario", s.Name), ("step", step.Name), region, ("reason", reason.Label())], n);
            }
        }

        x.Family("probe_check_duration_seconds", "histogram", "Step latency (from the intended start) in seconds.");
        foreach ((ScenarioSnapshot s, StepSnapshot step) in Steps(result))
        {
            Histogram(x, "probe_check_duration_seconds", [suite, ("scenario", s.Name), ("step", step.Name), region], step.LatencyHistogram, step.Latency, buckets);
        }

        x.Family("probe_http_phase_duration_seconds", "summary", "HTTP request phases (dns, connect, tls, ttfb, transfer) in seconds.");
        foreach ((ScenarioSnapshot s, StepSnapshot step) in Steps(result))
        {
            foreach ((string phase, LatencySummary summary) in step.Phases)
            {
                Summary(x, "probe_http_phase_duration_seconds", [suite, ("scenario", s.Name), ("step", step.Name), region, ("phase", phase)], summary);
            }
        }

        x.Family("probe_scheduler_lag_seconds", "summary", "Open model: how late the generator started iterations, in seconds.");
        foreach (ScenarioSnapshot s in result.Scenarios.Where(s => s.SchedulerLag.Count > 0))
        {
            Summary(x, "probe_scheduler_lag_seconds", [suite, ("scenario", s.Name), region], s.SchedulerLag);
        }

        x.Family("probe_threshold_passed", "gauge", "1 when the threshold held, else 0.");
        foreach (ThresholdResult t in result.Thresholds)
        {
            x.Sample("probe_threshold_passed", [suite, ("scenario", t.Scenario), ("step", t.Step ?? string.Empty), ("threshold", t.Expression)], t.Passed ? 1 : 0);
        }

        return x.ToString();
    }

    private static IEnumerable<(ScenarioSnapshot, StepSnapshot)> Steps(RunResult result) =>
        result.Scenarios.SelectMany(s => s.Steps.Select(step => (s, step)));

    /// <summary>Cumulative bucket counts from the log-linear histogram: a bucket counts under the first bound its midpoint does not exceed.</summary>
    private static void Histogram(TextExposition x, string name, (string, string)[] labels, LatencyHistogram histogram, LatencySummary summary, double[] bounds)
    {
        var buckets = histogram.Buckets();
        long cumulative = 0;
        int next = 0;
        foreach (double bound in bounds)
        {
            while (next < buckets.Count && (buckets[next].LowNanoseconds + buckets[next].HighNanoseconds) / 2e9 <= bound)
            {
                cumulative += buckets[next++].Count;
            }

            x.Sample(name + "_bucket", [.. labels, ("le", TextExposition.Format(bound))], cumulative);
        }

        x.Sample(name + "_bucket", [.. labels, ("le", "+Inf")], summary.Count);
        x.Sample(name + "_sum", labels, summary.MeanNanoseconds / 1e9 * summary.Count);
        x.Sample(name + "_count", labels, summary.Count);
    }

    private static void Summary(TextExposition x, string name, (string, string)[] labels, LatencySummary summary)
    {
        foreach ((string label, _, Func<LatencySummary, long> read) in Quantiles)
        {
            x.Sample(name, [.. labels, ("quantile", label)], read(summary) / 1e9);
        }

        x.Sample(name + "_sum", labels, summary.MeanNanoseconds / 1e9 * summary.Count);
        x.Sample(name + "_count", labels, summary.Count);
    }
}
