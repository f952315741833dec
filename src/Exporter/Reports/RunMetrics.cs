using Probe.Engine.Histograms;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;
using Probe.Exporter.Prometheus;

namespace Probe.Exporter.Reports;

/// <summary>
/// <c>metrics.prom</c>: a run's final figures in the Prometheus text format, in the families of
/// <see cref="ProbeSeries"/>, for a Pushgateway or a textfile collector. Check families have a row
/// per scenario with an empty step (its iterations) and one per step.
/// </summary>
public static class RunMetrics
{
    /// <summary>Renders the run; the report's latency buckets (seconds) join the duration buckets, so latency SLO thresholds are bucket bounds.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        string suite = info.Suite;
        string region = info.Region;
        var x = new TextExposition();

        x.Family(ProbeSeries.RunInfo).Sample(ProbeSeries.RunInfo, [suite, region, info.ProbeVersion], 1);
        x.Family(ProbeSeries.GateVerdict).Sample(ProbeSeries.GateVerdict, [suite, "thresholds"], result.Verdict == Verdict.Passed ? 1 : 0);
        x.Family(ProbeSeries.RunValid).Sample(ProbeSeries.RunValid, [suite, region], result.IsValid ? 1 : 0);
        x.Family(ProbeSeries.RunDuration).Sample(ProbeSeries.RunDuration, [suite, region], result.Duration.TotalSeconds);

        x.Family(ProbeSeries.Success);
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            x.Sample(ProbeSeries.Success, [suite, s.Name, region, report.Targets.GetValueOrDefault(s.Name, string.Empty)], s.Iterations.Fail == 0 && s.Iterations.Count > 0 ? 1 : 0);
        }

        x.Family(ProbeSeries.Duration);
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            double measured = s.Iterations.Seconds.Sum(second => second.Duration.TotalSeconds);
            x.Sample(ProbeSeries.Duration, [suite, s.Name, region, report.Targets.GetValueOrDefault(s.Name, string.Empty)], measured);
        }

        x.Family(ProbeSeries.CheckRuns);
        foreach ((string scenario, string step, StepSnapshot figures) in Checks(result))
        {
            x.Sample(ProbeSeries.CheckRuns, [suite, scenario, step, region, "ok"], figures.Ok);
            x.Sample(ProbeSeries.CheckRuns, [suite, scenario, step, region, "fail"], figures.Fail);
        }

        x.Family(ProbeSeries.CheckFailures);
        foreach ((string scenario, string step, StepSnapshot figures) in Checks(result))
        {
            foreach ((FailureReason reason, long n) in figures.FailureReasons)
            {
                x.Sample(ProbeSeries.CheckFailures, [suite, scenario, step, region, reason.Label()], n);
            }
        }

        SeriesSpec duration = ProbeSeries.CheckDuration.WithBuckets(report.LatencyBuckets);
        x.Family(duration);
        foreach ((string scenario, string step, StepSnapshot figures) in Checks(result))
        {
            x.Histogram(duration, [suite, scenario, step, region], figures.LatencyHistogram, figures.Latency);
        }

        x.Family(ProbeSeries.CheckEvaluations);
        foreach (CheckReport c in report.Checks)
        {
            x.Sample(ProbeSeries.CheckEvaluations, [suite, c.Scenario, c.Step, c.Check, region, "ok"], c.Evaluated - c.Failed);
            x.Sample(ProbeSeries.CheckEvaluations, [suite, c.Scenario, c.Step, c.Check, region, "fail"], c.Failed);
        }

        x.Family(ProbeSeries.HttpPhaseDuration);
        foreach ((ScenarioSnapshot s, StepSnapshot step) in result.Scenarios.SelectMany(s => s.Steps.Select(step => (s, step))))
        {
            foreach ((string phase, LatencyHistogram histogram) in step.PhaseHistograms)
            {
                x.Histogram(ProbeSeries.HttpPhaseDuration, [suite, s.Name, step.Name, region, phase], histogram, step.Phases.GetValueOrDefault(phase, histogram.Summarize()));
            }
        }

        WriteLlm(x, report, suite, region);

        x.Family(ProbeSeries.SchedulerLag);
        foreach (ScenarioSnapshot s in result.Scenarios.Where(s => s.SchedulerLag.Count > 0))
        {
            x.Summary(ProbeSeries.SchedulerLag, [suite, s.Name, region], s.SchedulerLag);
        }

        x.Family(ProbeSeries.ThresholdPassed);
        foreach (ThresholdResult t in result.Thresholds)
        {
            x.Sample(ProbeSeries.ThresholdPassed, [suite, t.Scenario, t.Step ?? string.Empty, t.Expression], t.Passed ? 1 : 0);
        }

        return x.ToString();
    }

    /// <summary>The probe_llm_* families: each step that asked a model.</summary>
    private static void WriteLlm(TextExposition x, RunReport report, string suite, string region)
    {
        IReadOnlyList<LlmFigures> llm = report.Llm;
        foreach ((SeriesSpec spec, Func<LlmSnapshot, LatencyHistogram> histogram) in new (SeriesSpec, Func<LlmSnapshot, LatencyHistogram>)[]
        {
            (ProbeSeries.LlmTimeToFirstToken.WithBuckets(report.LatencyBuckets), l => l.TimeToFirstToken),
            (ProbeSeries.LlmInterTokenLatency, l => l.InterTokenLatency),
            (ProbeSeries.LlmTimePerOutputToken, l => l.TimePerOutputToken),
            (ProbeSeries.LlmRequestDuration.WithBuckets(report.LatencyBuckets), l => l.EndToEnd),
        })
        {
            x.Family(spec);
            foreach (LlmFigures f in llm)
            {
                LatencyHistogram h = histogram(f.Llm);
                x.Histogram(spec, [suite, f.Scenario, f.Step, region], h, h.Summarize());
            }
        }

        x.Family(ProbeSeries.LlmRequests);
        foreach (LlmFigures f in llm)
        {
            x.Sample(ProbeSeries.LlmRequests, [suite, f.Scenario, f.Step, region, "ok"], f.Answered);
            x.Sample(ProbeSeries.LlmRequests, [suite, f.Scenario, f.Step, region, "fail"], f.Requests - f.Answered);
        }

        foreach ((SeriesSpec spec, Func<LlmSnapshot, long> count) in new (SeriesSpec, Func<LlmSnapshot, long>)[] { (ProbeSeries.LlmOutputTokens, l => l.OutputTokens), (ProbeSeries.LlmInputTokens, l => l.InputTokens) })
        {
            x.Family(spec);
            foreach (LlmFigures f in llm)
            {
                x.Sample(spec, [suite, f.Scenario, f.Step, region], count(f.Llm));
            }
        }
    }

    /// <summary>Each scenario's iterations (step empty), then each of its steps.</summary>
    private static IEnumerable<(string Scenario, string Step, StepSnapshot Figures)> Checks(RunResult result) =>
        result.Scenarios.SelectMany(s => s.Steps.Select(step => (s.Name, step.Name, step)).Prepend((s.Name, string.Empty, s.Iterations)));
}
