using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Exporter.Prometheus;

namespace Probe.Runner.Serving;

/// <summary>
/// A run's figures as live Prometheus series (families of <see cref="ProbeSeries"/>), refreshed every
/// second from the run's progress, so a long load test can be watched in Prometheus and Grafana while
/// it runs (<c>probe run --metrics-listen</c>).
/// </summary>
internal sealed class LiveRunMetrics
{
    private readonly MetricFamily _runs;
    private readonly MetricFamily _failures;
    private readonly MetricFamily _load;
    private readonly MetricFamily _latency;
    private readonly MetricFamily _elapsed;
    private readonly CounterFeed _feed = new();
    private readonly string _suite;
    private readonly string _region;

    public LiveRunMetrics(MetricRegistry registry, string suite, string region)
    {
        _suite = suite;
        _region = region;
        _runs = registry.Add(ProbeSeries.CheckRuns);
        _failures = registry.Add(ProbeSeries.CheckFailures);
        _load = registry.Add(ProbeSeries.RunLoad);
        _latency = registry.Add(ProbeSeries.RunLatency);
        _elapsed = registry.Add(ProbeSeries.RunElapsed);
    }

    public void OnProgress(RunProgress progress)
    {
        _elapsed.WithLabels(_suite, _region).Set(progress.Elapsed.TotalSeconds);
        foreach (ScenarioSnapshot s in progress.Scenarios)
        {
            _load.WithLabels(_suite, s.Name, _region).Set(s.CurrentLoad);
            _latency.WithLabels(_suite, s.Name, _region, "0.5").Set(s.Iterations.Latency.P50Nanoseconds / 1e9);
            _latency.WithLabels(_suite, s.Name, _region, "0.95").Set(s.Iterations.Latency.P95Nanoseconds / 1e9);
            _latency.WithLabels(_suite, s.Name, _region, "0.99").Set(s.Iterations.Latency.P99Nanoseconds / 1e9);
            foreach ((string step, StepSnapshot figures) in s.Steps.Select(step => (step.Name, step)).Prepend((string.Empty, s.Iterations)))
            {
                _feed.Feed(_runs.WithLabels(_suite, s.Name, step, _region, "ok"), figures.Ok);
                _feed.Feed(_runs.WithLabels(_suite, s.Name, step, _region, "fail"), figures.Fail);
                foreach ((FailureReason reason, long n) in figures.FailureReasons)
                {
                    _feed.Feed(_failures.WithLabels(_suite, s.Name, step, _region, reason.Label()), n);
                }
            }
        }
    }
}
