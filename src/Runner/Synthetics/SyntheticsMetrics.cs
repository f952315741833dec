using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Exporter.Prometheus;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// The synthetics runner's series (families of <see cref="ProbeSeries"/>): per check result
/// <c>probe_success</c>, <c>probe_duration_seconds</c>, <c>probe_check_runs_total{result}</c>,
/// <c>probe_check_failures_total{reason}</c>, <c>probe_check_duration_seconds</c> (the run with an
/// empty step, and each step), <c>probe_check_evaluations_total{check}</c>,
/// <c>probe_http_phase_duration_seconds{phase}</c>; from steps' facts the certificate expiry and the
/// <c>probe_llm_*</c> token figures; and the runner's own health. The SLO gauges are set by <see cref="SloViews"/>.
/// </summary>
internal sealed class SyntheticsMetrics
{
    private readonly MetricFamily _success;
    private readonly MetricFamily _duration;
    private readonly MetricFamily _runs;
    private readonly MetricFamily _failures;
    private readonly MetricFamily _histogram;
    private readonly MetricFamily _evaluations;
    private readonly CounterFeed _feed = new();
    private readonly MetricFamily _phases;
    private readonly MetricFamily _ttft;
    private readonly MetricFamily _itl;
    private readonly MetricFamily _tpot;
    private readonly MetricFamily _e2e;
    private readonly MetricFamily _llmRequests;
    private readonly MetricFamily _outputTokens;
    private readonly MetricFamily _inputTokens;
    private readonly MetricFamily _certificate;
    private readonly MetricFamily _runnerUp;
    private readonly MetricFamily _sloEvents;
    private readonly MetricFamily _maintenance;
    private readonly MetricFamily _maintenanceRuns;
    private readonly MetricFamily _vitals;
    private readonly MetricFamily _layoutShift;

    public SyntheticsMetrics(MetricRegistry registry, string suite, IEnumerable<double> latencyThresholds)
    {
        Registry = registry;
        Suite = suite;
        _success = registry.Add(ProbeSeries.Success);
        _duration = registry.Add(ProbeSeries.Duration);
        _runs = registry.Add(ProbeSeries.CheckRuns);
        _failures = registry.Add(ProbeSeries.CheckFailures);
        _histogram = registry.Add(ProbeSeries.CheckDuration.WithBuckets(latencyThresholds));
        _evaluations = registry.Add(ProbeSeries.CheckEvaluations);
        _phases = registry.Add(ProbeSeries.HttpPhaseDuration);
        _ttft = registry.Add(ProbeSeries.LlmTimeToFirstToken.WithBuckets(latencyThresholds));
        _itl = registry.Add(ProbeSeries.LlmInterTokenLatency);
        _tpot = registry.Add(ProbeSeries.LlmTimePerOutputToken);
        _e2e = registry.Add(ProbeSeries.LlmRequestDuration.WithBuckets(latencyThresholds));
        _llmRequests = registry.Add(ProbeSeries.LlmRequests);
        _outputTokens = registry.Add(ProbeSeries.LlmOutputTokens);
        _inputTokens = registry.Add(ProbeSeries.LlmInputTokens);
        _certificate = registry.Add(ProbeSeries.TlsCertExpiry);
        _runnerUp = registry.Add(ProbeSeries.RunnerUp);
        Missed = registry.Add(ProbeSeries.MissedRuns);
        OverlapSkipped = registry.Add(ProbeSeries.OverlapSkipped);
        SpoolDepth = registry.Add(ProbeSeries.SpoolDepth);
        StoreUp = registry.Add(ProbeSeries.StoreUp);
        SpoolWritable = registry.Add(ProbeSeries.SpoolWritable);
        DrainUp = registry.Add(ProbeSeries.DrainUp);
        SchedulerBehind = registry.Add(ProbeSeries.SchedulerBehind);
        Quarantined = registry.Add(ProbeSeries.Quarantined);
        SliRatio = registry.Add(ProbeSeries.SliRatio);
        _sloEvents = registry.Add(ProbeSeries.SloEvents);
        BudgetRemaining = registry.Add(ProbeSeries.ErrorBudgetRemaining);
        RegionsSucceeding = registry.Add(ProbeSeries.RegionsSucceeding);
        QuorumUp = registry.Add(ProbeSeries.QuorumUp);
        _maintenance = registry.Add(ProbeSeries.Maintenance);
        _maintenanceRuns = registry.Add(ProbeSeries.MaintenanceRuns);
        _vitals = registry.Add(ProbeSeries.BrowserVitals);
        _layoutShift = registry.Add(ProbeSeries.BrowserLayoutShift);
    }

    public MetricRegistry Registry { get; }

    public string Suite { get; }

    public MetricFamily Missed { get; }

    public MetricFamily OverlapSkipped { get; }

    public MetricFamily SpoolDepth { get; }

    public MetricFamily StoreUp { get; }

    public MetricFamily SpoolWritable { get; }

    public MetricFamily DrainUp { get; }

    public MetricFamily SchedulerBehind { get; }

    public MetricFamily Quarantined { get; }

    public MetricFamily SliRatio { get; }

    public MetricFamily BudgetRemaining { get; }

    public MetricFamily RegionsSucceeding { get; }

    public MetricFamily QuorumUp { get; }

    public void RunnerUp(string region, bool up) => _runnerUp.WithLabels(region).Set(up ? 1 : 0);

    /// <summary>
    /// Records one result: the check's last success and duration, the run (step empty) and each of its
    /// steps in the check families, each step's HTTP phases, and every check's evaluations so far
    /// (<paramref name="checks"/>, the region's running tally). A run in a maintenance window sets only the
    /// last success and duration and counts in <c>probe_maintenance_runs_total</c>.
    /// </summary>
    public void Record(SyntheticResult result, IterationOutcome outcome, IReadOnlyList<CheckReport> checks, IReadOnlyList<SloSpec> slos)
    {
        _success.WithLabels(Suite, result.Scenario, result.Region, result.Target).Set(result.Ok ? 1 : 0);
        _duration.WithLabels(Suite, result.Scenario, result.Region, result.Target).Set(result.Duration.TotalSeconds);
        if (result.Maintenance is not null)
        {
            // Planned: counted apart, so the SLO and threshold rules, which read the families below, never see it.
            _maintenance.WithLabels(Suite, result.Scenario).Set(1);
            _maintenanceRuns.WithLabels(Suite, result.Scenario, result.Region, result.Ok ? "ok" : "fail").Increment();
            return;
        }

        if (!result.Recheck)
        {
            foreach (SloSpec slo in slos.Where(s => s.OnLlm && s.Scenarios.Contains(result.Scenario)))
            {
                LlmOutcome? llm = result.Llm;
                bool good = llm is not null && new LlmRecord(llm.Ok, Ns(llm.TtftMs), Ns(llm.TpotMs), (long)(llm.E2eMs * 1e6), llm.OutputTps ?? -1).Meets(slo.AnswerObjectives);
                _sloEvents.WithLabels(Suite, slo.Name, result.Region, good ? "good" : "bad").Increment();
            }
        }

        Count(result.Scenario, string.Empty, result.Region, result.Ok, result.Reason ?? "internal", result.Duration);
        foreach (StepOutcome step in outcome.Steps)
        {
            Count(result.Scenario, step.Step, result.Region, step.Result.IsOk, step.Result.Reason.Label(), step.Duration);
            PhaseTimings p = step.Result.Phases;
            if (p == PhaseTimings.None)
            {
                continue;
            }

            for (int i = 0; i < PhaseTimings.Names.Count; i++)
            {
                if (p[i] >= 0)
                {
                    _phases.WithLabels(Suite, result.Scenario, step.Step, result.Region, PhaseTimings.Names[i]).Observe(p[i] / 1e9);
                }
            }
        }

        foreach (CheckReport c in checks.Where(c => c.Scenario == result.Scenario))
        {
            _feed.Feed(_evaluations.WithLabels(Suite, c.Scenario, c.Step, c.Check, result.Region, "ok"), c.Evaluated - c.Failed);
            _feed.Feed(_evaluations.WithLabels(Suite, c.Scenario, c.Step, c.Check, result.Region, "fail"), c.Failed);
        }
    }

    /// <summary>Sets <c>probe_maintenance</c> of each scheduled scenario of <paramref name="suite"/> for the moment <paramref name="now"/>.</summary>
    public void Maintenance(SuiteDefinition suite, DateTimeOffset now)
    {
        foreach (ScenarioSpec scenario in suite.Scenarios.Where(s => s.Schedule is not null))
        {
            _maintenance.WithLabels(Suite, scenario.Name).Set(suite.MaintenanceAt(scenario.Name, now) is null ? 0 : 1);
        }
    }

    private static long Ns(double? ms) => ms is { } m ? (long)(m * 1e6) : -1;

    private void Count(string scenario, string step, string region, bool ok, string reason, TimeSpan duration)
    {
        _runs.WithLabels(Suite, scenario, step, region, ok ? "ok" : "fail").Increment();
        _histogram.WithLabels(Suite, scenario, step, region).Observe(duration.TotalSeconds);
        if (!ok)
        {
            _failures.WithLabels(Suite, scenario, step, region, reason).Increment();
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
        foreach (MetricFamily family in (MetricFamily[])[_success, _duration, _runs, _failures, _histogram, _evaluations, _phases, _ttft, _itl, _tpot, _e2e, _llmRequests, _outputTokens, _inputTokens, _certificate, RegionsSucceeding, QuorumUp, SliRatio, _sloEvents, BudgetRemaining, _maintenance, _maintenanceRuns, _vitals, _layoutShift])
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

        public void WebVitals(string scenario, string step, WebVitals vitals)
        {
            foreach ((string vital, double ms) in new[] { ("ttfb", vitals.TtfbMs), ("fcp", vitals.FcpMs), ("lcp", vitals.LcpMs) })
            {
                if (ms >= 0)
                {
                    metrics._vitals.WithLabels(metrics.Suite, scenario, step, region, vital).Set(ms / 1e3);
                }
            }

            metrics._layoutShift.WithLabels(metrics.Suite, scenario, step, region).Set(vitals.Cls);
        }

        public void Llm(string scenario, string step, TokenTimings tokens)
        {
            string[] labels = [metrics.Suite, scenario, step, region];
            metrics._llmRequests.WithLabels([.. labels, tokens.Ok ? "ok" : "fail"]).Increment();
            if (!tokens.Ok)
            {
                return;
            }

            Observe(metrics._ttft, tokens.TimeToFirstTokenNs);
            Observe(metrics._tpot, tokens.TimePerOutputTokenNs);
            Observe(metrics._e2e, tokens.EndToEndNs);
            foreach (long gap in tokens.GapsNs)
            {
                Observe(metrics._itl, gap);
            }

            metrics._outputTokens.WithLabels(labels).Add(Math.Max(0, tokens.OutputTokens));
            metrics._inputTokens.WithLabels(labels).Add(Math.Max(0, tokens.InputTokens));

            void Observe(MetricFamily family, long ns)
            {
                if (ns >= 0)
                {
                    family.WithLabels(labels).Observe(ns / 1e9);
                }
            }
        }
    }
}
