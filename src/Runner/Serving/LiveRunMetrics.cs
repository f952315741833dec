using Probe.Engine.Scenarios;
using Probe.Engine.Scheduling;
using Probe.Engine.Stats;
using Probe.Exporter.Prometheus;

namespace Probe.Runner.Serving;

/// <summary>
/// A run's figures as live Prometheus series, refreshed every second from the run's progress, so a
/// long load test can be watched in Prometheus and Grafana while it runs (<c>probe run --metrics-listen</c>).
/// </summary>
internal sealed class LiveRunMetrics
{
    private readonly MetricFamily _runs;
    private readonly MetricFamily _failures;
    private readonly MetricFamily _load;
    private readonly MetricFamily _latency;
    private readonly MetricFamily _elapsed;
    private readonly Dictionary<string, double> _seen = new(StringComparer.Ordinal);
    private readonly string _suite;
    private readonly string _region;

    public LiveRunMetrics(MetricRegistry registry, string suite, string region)
    {
        _suite = suite;
        _region = region;
        _runs = registry.Counter("probe_check_runs_total", "Step results by outcome.", "suite", "scenario", "step", "region", "result");
        _failures = registry.Counter("probe_check_failures_total", "Failed step results by reason.", "suite", "scenario", "step", "region", "reason");
        _load = registry.Gauge("probe_run_load", "The load now: copies (closed model) or arrivals per second (open model).", "suite", "scenario", "region");
        _latency = registry.Gauge("probe_run_latency_seconds", "Latency of the run so far, by quantile.", "suite", "scenario", "region", "quantile");
        _elapsed = registry.Gauge("probe_run_elapsed_seconds", "Time since the load started.", "suite", "region");
    }

    public void OnProgress(RunProgress progress)
    {
        lock (_seen)
        {
            _elapsed.WithLabels(_suite, _region).Set(progress.Elapsed.TotalSeconds);
            foreach (ScenarioSnapshot s in progress.Scenarios)
            {
                _load.WithLabels(_suite, s.Name, _region).Set(s.CurrentLoad);
                _latency.WithLabels(_suite, s.Name, _region, "0.5").Set(s.Iterations.Latency.P50Nanoseconds / 1e9);
                _latency.WithLabels(_suite, s.Name, _region, "0.95").Set(s.Iterations.Latency.P95Nanoseconds / 1e9);
                _latency.WithLabels(_suite, s.Name, _region, "0.99").Set(s.Iterations.Latency.P99Nanoseconds / 1e9);
                foreach (StepSnapshot step in s.Steps)
                {
                    Advance(_runs, [_suite, s.Name, step.Name, _region, "ok"], step.Ok);
                    Advance(_runs, [_suite, s.Name, step.Name, _region, "fail"], step.Fail);
                    foreach ((FailureReason reason, long n) in step.FailureReasons)
                    {
                        Advance(_failures, [_suite, s.Name, step.Name, _region, reason.Label()], n);
                    }
                }
            }
        }
    }

    /// <summary>Counters only go up: add what the snapshot's total gained since the last one.</summary>
    private void Advance(MetricFamily family, string[] labels, double total)
    {
        string key = family.Name + "\u0001" + string.Join('\u0001', labels);
        double before = _seen.GetValueOrDefault(key);
        if (total > before)
        {
            family.WithLabels(labels).Add(total - before);
            _seen[key] = total;
        }
        else
        {
            family.WithLabels(labels);
        }
    }
}
