using Probe.Engine.Scenarios;
using Probe.Engine.Scheduling;
using Probe.Exporter.Prometheus;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Synthetics;

/// <summary>
/// The synthetics runner's series (DESIGN.md "Prometheus"): per check result
/// <c>probe_success</c>, <c>probe_duration_seconds</c>, <c>probe_check_runs_total{result}</c>,
/// <c>probe_check_failures_total{reason}</c>, <c>probe_check_duration_seconds</c>,
/// <c>probe_http_phase_duration_seconds{phase}</c>; from steps' facts the certificate expiry and time
/// to first token; and the runner's own health. The SLO gauges are set by <see cref="SloViews"/>.
/// </summary>
internal sealed class SyntheticsMetrics
{
    private readonly MetricFamily _success;
    private readonly MetricFamily _duration;
    private readonly MetricFamily _runs;
    private readonly MetricFamily _failures;
    private readonly MetricFamily _histogram;
    private readonly MetricFamily _phases;
    private readonly MetricFamily _ttft;
    private readonly MetricFamily _certificate;
    private readonly MetricFamily _runnerUp;

    public SyntheticsMetrics(MetricRegistry registry, string suite, IEnumerable<double> latencyThresholds)
    {
        Registry = registry;
        Suite = suite;
        double[] buckets = RunMetrics.DurationBuckets.Concat(latencyThresholds).Distinct().Order().ToArray();
        _success = registry.Gauge("probe_success", "Whether the check's last run succeeded (1) or failed (0).", "suite", "scenario", "region", "target");
        _duration = registry.Gauge("probe_duration_seconds", "How long the check's last run took.", "suite", "scenario", "region", "target");
        _runs = registry.Counter("probe_check_runs_total", "Check runs by outcome (ok or fail).", "suite", "scenario", "region", "result");
        _failures = registry.Counter("probe_check_failures_total", "Failed check runs by reason.", "suite", "scenario", "region", "reason");
        _histogram = registry.Histogram("probe_check_duration_seconds", "Duration of check runs.", buckets, "suite", "scenario", "region");
        _phases = registry.Histogram("probe_http_phase_duration_seconds", "HTTP request phases of check steps.", RunMetrics.DurationBuckets, "suite", "scenario", "region", "phase");
        _ttft = registry.Histogram("probe_rag_time_to_first_token_seconds", "Time to the first streamed token of RAG answers.", RunMetrics.DurationBuckets, "suite", "scenario", "step", "region");
        _certificate = registry.Gauge("probe_tls_cert_expiry_timestamp_seconds", "When the server certificate expires (Unix seconds).", "suite", "scenario", "step", "region");
        _runnerUp = registry.Gauge("probe_runner_up", "1 while this runner serves the region.", "region");
        Missed = registry.Counter("probe_synthetics_missed_runs_total", "Due runs skipped because the runner was paused or behind (counted, not replayed).");
        OverlapSkipped = registry.Counter("probe_synthetics_overlap_skipped_total", "Due runs skipped because the previous run of the check was still going.");
        SpoolDepth = registry.Gauge("probe_synthetics_spool_depth", "Results in the local spool waiting for the store.");
        StoreUp = registry.Gauge("probe_synthetics_store_up", "1 when the last write to the result store succeeded.");
        SliRatio = registry.Gauge("probe_sli_ratio", "SLI over the window: good over valid results (region \"all\": minutes with at least N of M regions good).", "suite", "slo", "window", "region");
        BudgetRemaining = registry.Gauge("probe_slo_error_budget_remaining_ratio", "Share of the SLO window's error budget left (below 0: overspent).", "suite", "slo", "region");
        RegionsSucceeding = registry.Gauge("probe_regions_succeeding", "Regions whose last run of the check succeeded.", "suite", "scenario");
        QuorumUp = registry.Gauge("probe_quorum_up", "1 when at least the quorum (N of M regions) last succeeded.", "suite", "scenario");
    }

    public MetricRegistry Registry { get; }

    public string Suite { get; }

    public MetricFamily Missed { get; }

    public MetricFamily OverlapSkipped { get; }

    public MetricFamily SpoolDepth { get; }

    public MetricFamily StoreUp { get; }

    public MetricFamily SliRatio { get; }

    public MetricFamily BudgetRemaining { get; }

    public MetricFamily RegionsSucceeding { get; }

    public MetricFamily QuorumUp { get; }

    public void RunnerUp(string region, bool up) => _runnerUp.WithLabels(region).Set(up ? 1 : 0);

    public void Record(CheckResult result, IterationOutcome outcome)
    {
        _success.WithLabels(Suite, result.Scenario, result.Region, result.Target).Set(result.Ok ? 1 : 0);
        _duration.WithLabels(Suite, result.Scenario, result.Region, result.Target).Set(result.Duration.TotalSeconds);
        _runs.WithLabels(Suite, result.Scenario, result.Region, result.Ok ? "ok" : "fail").Increment();
        _histogram.WithLabels(Suite, result.Scenario, result.Region).Observe(result.Duration.TotalSeconds);
        if (!result.Ok)
        {
            _failures.WithLabels(Suite, result.Scenario, result.Region, result.Reason ?? "internal").Increment();
        }

        foreach (StepOutcome step in outcome.Steps)
        {
            PhaseTimings p = step.Result.Phases;
            if (p == PhaseTimings.None)
            {
                continue;
            }

            long[] values = [p.DnsNs, p.ConnectNs, p.TlsNs, p.TimeToFirstByteNs, p.TransferNs];
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] >= 0)
                {
                    _phases.WithLabels(Suite, result.Scenario, result.Region, PhaseTimings.Names[i]).Observe(values[i] / 1e9);
                }
            }
        }
    }

    /// <summary>
    /// Drops the series of checks, targets and SLOs that <paramref name="suite"/> no longer has, and of
    /// checks this runner no longer runs in a region: after a reload, a removed check's last
    /// <c>probe_success 0</c> must not keep an alert firing, nor a renamed SLO's budget linger.
    /// </summary>
    /// <param name="suite">The suite now applied.</param>
    /// <param name="runs">Whether this runner now runs the scenario (first) in the region (second).</param>
    public void Prune(SuiteDefinition suite, Func<string, string, bool> runs)
    {
        Dictionary<string, ScenarioSpec> scheduled = suite.Scenarios.Where(s => s.Schedule is not null).ToDictionary(s => s.Name, StringComparer.Ordinal);
        HashSet<string> slos = suite.Slos.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        foreach (MetricFamily family in (MetricFamily[])[_success, _duration, _runs, _failures, _histogram, _phases, _ttft, _certificate, RegionsSucceeding, QuorumUp, SliRatio, BudgetRemaining])
        {
            int scenario = Index(family, "scenario"), region = Index(family, "region"), target = Index(family, "target"), slo = Index(family, "slo");
            family.Remove(values => slo >= 0
                ? !slos.Contains(values[slo])
                : !scheduled.TryGetValue(values[scenario], out ScenarioSpec? spec)
                  || (region >= 0 && !runs(spec.Name, values[region]))
                  || (target >= 0 && spec.Target != values[target]));
        }
    }

    /// <summary>The facts sink for one region's bound suite.</summary>
    public IStepFacts FactsFor(string region) => new RegionFacts(this, region);

    private static int Index(MetricFamily family, string label) => family.Labels.ToList().IndexOf(label);

    private sealed class RegionFacts(SyntheticsMetrics metrics, string region) : IStepFacts
    {
        public void CertificateExpires(string scenario, string step, DateTimeOffset notAfter) =>
            metrics._certificate.WithLabels(metrics.Suite, scenario, step, region).Set(notAfter.ToUnixTimeSeconds());

        public void TimeToFirstToken(string scenario, string step, TimeSpan elapsed) =>
            metrics._ttft.WithLabels(metrics.Suite, scenario, step, region).Observe(elapsed.TotalSeconds);
    }
}
