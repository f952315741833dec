namespace Probe.Exporter.Prometheus;

/// <summary>
/// The catalogue of every Prometheus series Probe writes (DESIGN.md "Prometheus"). Names follow
/// Prometheus conventions: the <c>probe_</c> prefix, base units, <c>_total</c> for counters.
/// </summary>
/// <remarks>
/// In the check families (<c>probe_check_runs_total</c>, <c>probe_check_failures_total</c>,
/// <c>probe_check_duration_seconds</c>) a series with an empty <c>step</c> counts whole check runs (a
/// load test's iterations, a synthetics result); a series with a step name counts that step's
/// results. Sum over <c>step=""</c> for runs; the generated rules and the dashboard do.
/// </remarks>
public static class ProbeSeries
{
    /// <summary>Duration histogram buckets, in seconds (a suite's latency SLO thresholds are added).</summary>
    public static IReadOnlyList<double> DurationBuckets { get; } = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    public static SeriesSpec RunInfo { get; } = new("probe_run_info", MetricType.Gauge, "Probe run metadata; always 1.", ["suite", "region", "version"]);

    public static SeriesSpec GateVerdict { get; } = new("probe_gate_verdict", MetricType.Gauge, "The run's gate verdict: 1 pass, 0 fail or invalid.", ["suite", "gate"]);

    public static SeriesSpec RunValid { get; } = new("probe_run_valid", MetricType.Gauge, "1 when the generator held its schedule and dropped nothing, else 0.", ["suite", "region"]);

    public static SeriesSpec RunDuration { get; } = new("probe_run_duration_seconds", MetricType.Gauge, "How long the load test ran, in seconds.", ["suite", "region"]);

    public static SeriesSpec Success { get; } = new("probe_success", MetricType.Gauge, "1 when the check's last run (synthetics) or every iteration of the scenario (a load test) succeeded, else 0 (blackbox_exporter style).", ["suite", "scenario", "region", "target"]);

    public static SeriesSpec Duration { get; } = new("probe_duration_seconds", MetricType.Gauge, "How long the check's last run (synthetics) or the scenario's measured load (a load test) took, in seconds.", ["suite", "scenario", "region", "target"]);

    public static SeriesSpec CheckRuns { get; } = new("probe_check_runs_total", MetricType.Counter, "Check runs (step empty) and step results by outcome (ok or fail).", ["suite", "scenario", "step", "region", "result"]);

    public static SeriesSpec CheckFailures { get; } = new("probe_check_failures_total", MetricType.Counter, "Failed check runs (step empty) and step results by failure reason.", ["suite", "scenario", "step", "region", "reason"]);

    public static SeriesSpec CheckDuration { get; } = new("probe_check_duration_seconds", MetricType.Histogram, "Duration of check runs (step empty) and steps, from the intended start, in seconds.", ["suite", "scenario", "step", "region"]) { Buckets = DurationBuckets };

    public static SeriesSpec CheckEvaluations { get; } = new("probe_check_evaluations_total", MetricType.Counter, "Evaluations of each check (an assertion on a response) by result (ok or fail).", ["suite", "scenario", "step", "check", "region", "result"]);

    /// <summary>
    /// Buckets for HTTP phases, in seconds: fewer than a check's duration has, since every step of every
    /// check in every region has up to five phases (docs/metrics.md "Size per check").
    /// </summary>
    public static IReadOnlyList<double> PhaseBuckets { get; } = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

    public static SeriesSpec HttpPhaseDuration { get; } = new("probe_http_phase_duration_seconds", MetricType.Histogram, "HTTP request phases (dns, connect, tls, ttfb, transfer) of steps, in seconds.", ["suite", "scenario", "step", "region", "phase"]) { Buckets = PhaseBuckets };

    public static SeriesSpec SchedulerLag { get; } = new("probe_scheduler_lag_seconds", MetricType.Summary, "Open model: how late the generator started iterations, in seconds.", ["suite", "scenario", "region"]);

    public static SeriesSpec ThresholdPassed { get; } = new("probe_threshold_passed", MetricType.Gauge, "1 when the threshold held, else 0.", ["suite", "scenario", "step", "threshold"]);

    /// <summary>Buckets for the time between tokens, in seconds: decode gaps are milliseconds to tens of milliseconds.</summary>
    public static IReadOnlyList<double> TokenBuckets { get; } = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1];

    public static SeriesSpec LlmTimeToFirstToken { get; } = new("probe_llm_time_to_first_token_seconds", MetricType.Histogram, "LLM answers: request sent to the first content token (unstreamed answers: to the whole answer), in seconds.", ["suite", "scenario", "step", "region"]) { Buckets = DurationBuckets };

    public static SeriesSpec LlmInterTokenLatency { get; } = new("probe_llm_inter_token_latency_seconds", MetricType.Histogram, "Streamed LLM answers: the gaps between consecutive content chunks, in seconds.", ["suite", "scenario", "step", "region"]) { Buckets = TokenBuckets };

    public static SeriesSpec LlmTimePerOutputToken { get; } = new("probe_llm_time_per_output_token_seconds", MetricType.Histogram, "Streamed LLM answers: (end-to-end - time to first token) / (output tokens - 1), in seconds.", ["suite", "scenario", "step", "region"]) { Buckets = TokenBuckets };

    public static SeriesSpec LlmRequestDuration { get; } = new("probe_llm_request_duration_seconds", MetricType.Histogram, "LLM answers: request sent to the end of the answer (end-to-end latency), in seconds.", ["suite", "scenario", "step", "region"]) { Buckets = DurationBuckets };

    public static SeriesSpec LlmRequests { get; } = new("probe_llm_requests_total", MetricType.Counter, "LLM requests by result: ok (a whole answer) or fail (error status, error event, broken stream, timeout).", ["suite", "scenario", "step", "region", "result"]);

    public static SeriesSpec LlmOutputTokens { get; } = new("probe_llm_output_tokens_total", MetricType.Counter, "Output tokens of LLM answers (from the API's usage, else counted chunks).", ["suite", "scenario", "step", "region"]);

    public static SeriesSpec LlmInputTokens { get; } = new("probe_llm_input_tokens_total", MetricType.Counter, "Input (prompt) tokens of LLM requests, from the API's usage.", ["suite", "scenario", "step", "region"]);

    public static SeriesSpec TlsCertExpiry { get; } = new("probe_tls_cert_expiry_timestamp_seconds", MetricType.Gauge, "When the server certificate expires (Unix seconds).", ["suite", "scenario", "step", "region"]);

    public static SeriesSpec RunLoad { get; } = new("probe_run_load", MetricType.Gauge, "The load now: copies (closed model) or arrivals per second (open model).", ["suite", "scenario", "region"]);

    public static SeriesSpec RunLatency { get; } = new("probe_run_latency_seconds", MetricType.Gauge, "Latency of the run so far, by quantile.", ["suite", "scenario", "region", "quantile"]);

    public static SeriesSpec RunElapsed { get; } = new("probe_run_elapsed_seconds", MetricType.Gauge, "Time since the load started.", ["suite", "region"]);

    public static SeriesSpec RunnerUp { get; } = new("probe_runner_up", MetricType.Gauge, "1 while this runner serves the region.", ["region"]);

    public static SeriesSpec MissedRuns { get; } = new("probe_synthetics_missed_runs_total", MetricType.Counter, "Due runs skipped because the runner was paused or behind (counted, not replayed).", []);

    public static SeriesSpec OverlapSkipped { get; } = new("probe_synthetics_overlap_skipped_total", MetricType.Counter, "Due runs skipped because the previous run of the check was still going.", []);

    public static SeriesSpec SpoolDepth { get; } = new("probe_synthetics_spool_depth", MetricType.Gauge, "Results in the local spool waiting for the store.", []);

    public static SeriesSpec StoreUp { get; } = new("probe_synthetics_store_up", MetricType.Gauge, "1 when the last write to the result store succeeded.", []);

    public static SeriesSpec SpoolWritable { get; } = new("probe_synthetics_spool_writable", MetricType.Gauge, "1 while results can be written to the local spool and its drained position saved; 0 on an unwritable or full --data folder.", []);

    public static SeriesSpec DrainUp { get; } = new("probe_synthetics_drain_up", MetricType.Gauge, "1 while the loop that moves the spool to the store runs.", []);

    public static SeriesSpec SchedulerBehind { get; } = new("probe_synthetics_scheduler_behind_seconds", MetricType.Gauge, "How long the scheduler has slept past its earliest due check without starting it: 0 while it keeps time; a stalled scheduler grows without bound.", []);

    public static SeriesSpec Quarantined { get; } = new("probe_synthetics_quarantined_total", MetricType.Counter, "Results the store refused for their content, kept in the dead-letter file instead.", []);

    public static SeriesSpec SliRatio { get; } = new("probe_sli_ratio", MetricType.Gauge, "SLI over the window: good over valid results (region \"all\": minutes with at least N of M regions good).", ["suite", "slo", "window", "region"]);

    public static SeriesSpec SloEvents { get; } = new("probe_slo_events_total", MetricType.Counter, "ttft and goodput SLOs: this runner's results by whether their LLM answer met the SLO's objectives (good) or not (bad).", ["suite", "slo", "region", "result"]);

    public static SeriesSpec ErrorBudgetRemaining { get; } = new("probe_slo_error_budget_remaining_ratio", MetricType.Gauge, "Share of the SLO window's error budget left (below 0: overspent).", ["suite", "slo", "region"]);

    public static SeriesSpec RegionsSucceeding { get; } = new("probe_regions_succeeding", MetricType.Gauge, "Regions whose last run of the check succeeded.", ["suite", "scenario"]);

    public static SeriesSpec QuorumUp { get; } = new("probe_quorum_up", MetricType.Gauge, "1 when at least the quorum (N of M regions) last succeeded.", ["suite", "scenario"]);

    public static SeriesSpec Maintenance { get; } = new("probe_maintenance", MetricType.Gauge, "1 while a maintenance window of the suite covers the check: its alerts are held and its runs left out of SLIs.", ["suite", "scenario"]);

    public static SeriesSpec MaintenanceRuns { get; } = new("probe_maintenance_runs_total", MetricType.Counter, "Check runs inside a maintenance window by outcome (ok or fail); they are not in probe_check_runs_total.", ["suite", "scenario", "region", "result"]);

    public static SeriesSpec BrowserVitals { get; } = new("probe_browser_web_vital_seconds", MetricType.Gauge, "Browser steps: the last journey's page figures (ttfb, fcp, lcp) from the navigation's start, in seconds.", ["suite", "scenario", "step", "region", "vital"]);

    public static SeriesSpec BrowserLayoutShift { get; } = new("probe_browser_cumulative_layout_shift", MetricType.Gauge, "Browser steps: the last journey's cumulative layout shift (CLS, unitless).", ["suite", "scenario", "step", "region"]);

    /// <summary>Every family, in the order a scrape lists them.</summary>
    public static IReadOnlyList<SeriesSpec> All { get; } =
    [
        RunInfo, GateVerdict, RunValid, RunDuration, Success, Duration, CheckRuns, CheckFailures, CheckDuration, CheckEvaluations,
        HttpPhaseDuration, SchedulerLag, ThresholdPassed, LlmTimeToFirstToken, LlmInterTokenLatency, LlmTimePerOutputToken, LlmRequestDuration,
        LlmRequests, LlmOutputTokens, LlmInputTokens, TlsCertExpiry, RunLoad, RunLatency, RunElapsed,
        RunnerUp, MissedRuns, OverlapSkipped, SpoolDepth, StoreUp, SpoolWritable, DrainUp, SchedulerBehind, Quarantined, SliRatio, SloEvents, ErrorBudgetRemaining, RegionsSucceeding, QuorumUp,
        Maintenance, MaintenanceRuns, BrowserVitals, BrowserLayoutShift,
    ];

    /// <summary>A histogram family's buckets with <paramref name="extra"/> bounds added (a suite's latency SLO thresholds).</summary>
    public static SeriesSpec WithBuckets(this SeriesSpec spec, IEnumerable<double> extra)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec with { Buckets = spec.Buckets.Concat(extra).Distinct().Order().ToArray() };
    }
}
