using System.Globalization;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Engine.Thresholds;

/// <summary>
/// Evaluates thresholds on snapshots. Without a window, on the whole measured run. With <c>over W</c>,
/// at the end on every sliding window of W seconds (the worst one is reported); during the run, on the
/// trailing window only. Latency, error-rate and rps thresholds fail when there are no results:
/// a gate must not pass on nothing.
/// </summary>
public static class ThresholdEvaluator
{
    /// <summary>Evaluates <paramref name="spec"/> on <paramref name="scenario"/>.</summary>
    /// <param name="spec">The threshold.</param>
    /// <param name="scenario">The scenario's figures.</param>
    /// <param name="trailingOnly">Only the last window (for evaluation during the run).</param>
    public static ThresholdResult Evaluate(ThresholdSpec spec, ScenarioSnapshot scenario, bool trailingOnly = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(scenario);
        Threshold threshold = spec.Parse();
        StepSnapshot? subject = spec.Step is not null ? scenario.Step(spec.Step)
            : threshold.OnRequests && scenario.Steps.Count > 0 ? SnapshotMerge.Step([.. scenario.Requests()])
            : scenario.Iterations;
        if (subject is null)
        {
            return Fail(spec, scenario, threshold, $"step '{spec.Step}' produced no results");
        }

        if (threshold.Metric == ThresholdMetric.CheckRate)
        {
            return scenario.Checks is { Evaluated: > 0 } checks
                ? Result(spec, scenario, threshold, checks.PassRate, $"{checks.Evaluated - checks.Failed} of {checks.Evaluated} checks held")
                : Fail(spec, scenario, threshold, "no checks were evaluated");
        }

        if (threshold.Llm is not null || threshold.Metric == ThresholdMetric.Goodput)
        {
            return EvaluateLlm(spec, scenario, threshold);
        }

        if (threshold.Window is { } window && subject.Seconds.Count > 0)
        {
            return EvaluateWindows(spec, scenario, threshold, subject, window, trailingOnly);
        }

        if (NeedsResults(threshold) && subject.Count == 0)
        {
            return Fail(spec, scenario, threshold, "no results to measure");
        }

        double observed = threshold.Metric switch
        {
            ThresholdMetric.ErrorRate => subject.ErrorRate,
            ThresholdMetric.Rps => subject.Rps,
            ThresholdMetric.Dropped => scenario.Dropped,
            ThresholdMetric.Count => subject.Count,
            ThresholdMetric.Failures => subject.Fail,
            _ => TimeOf(threshold, threshold.OnServiceTime ? subject.ServiceTimeHistogram : subject.LatencyHistogram),
        };
        return Result(spec, scenario, threshold, observed, note: null);
    }

    /// <summary>
    /// Evaluates a scenario's thresholds, or <see cref="ThresholdSpec.DefaultGate"/> (with its note) when
    /// it sets none: a run is never green without a gate.
    /// </summary>
    public static IEnumerable<ThresholdResult> EvaluateAll(IReadOnlyList<ThresholdSpec> specs, ScenarioSnapshot scenario)
    {
        ArgumentNullException.ThrowIfNull(specs);
        return specs.Count > 0 ? specs.Select(spec => Evaluate(spec, scenario)).ToArray() : [DefaultGate(scenario)];
    }

    /// <summary>
    /// LLM figures: of the step named, or of every step of the scenario that asked a model. Fails when
    /// there are no requests to measure.
    /// </summary>
    private static ThresholdResult EvaluateLlm(ThresholdSpec spec, ScenarioSnapshot scenario, Threshold threshold)
    {
        LlmSnapshot? llm = spec.Step is null ? LlmSnapshot.Merge(scenario.Steps.Select(s => s.Llm)) : scenario.Step(spec.Step)?.Llm;
        if (llm is null || llm.Requests == 0)
        {
            return Fail(spec, scenario, threshold, $"no LLM answers to measure: {(spec.Step is null ? "no step of the scenario" : $"step '{spec.Step}'")} asked a model");
        }

        if (threshold.Metric == ThresholdMetric.Goodput)
        {
            return Result(spec, scenario, threshold, llm.Goodput(threshold.Objectives), $"{llm.Records.Count(r => r.Meets(threshold.Objectives))} of {llm.Requests} requests met every objective");
        }

        if (threshold.Llm == LlmMeasure.OutputTokensPerSecond)
        {
            double[] rates = llm.Records.Where(r => r.Ok && r.OutputTokensPerSecond >= 0).Select(r => r.OutputTokensPerSecond).Order().ToArray();
            if (rates.Length == 0)
            {
                return Fail(spec, scenario, threshold, "no answered request with a token count");
            }

            double observed = threshold.Metric switch
            {
                ThresholdMetric.Mean => rates.Average(),
                ThresholdMetric.Min => rates[0],
                ThresholdMetric.Max => rates[^1],
                _ => RateSummary.At(rates, threshold.Percentile),
            };
            return Result(spec, scenario, threshold, observed, note: null);
        }

        LatencyHistogram histogram = threshold.Llm switch
        {
            LlmMeasure.TimeToFirstToken => llm.TimeToFirstToken,
            LlmMeasure.InterTokenLatency => llm.InterTokenLatency,
            LlmMeasure.TimePerOutputToken => llm.TimePerOutputToken,
            _ => llm.EndToEnd,
        };
        return histogram.TotalCount == 0
            ? Fail(spec, scenario, threshold, threshold.Llm is LlmMeasure.InterTokenLatency or LlmMeasure.TimePerOutputToken
                ? "no streamed answer with two tokens or more" : "no answered request")
            : Result(spec, scenario, threshold, TimeOf(threshold, histogram), note: null);
    }

    private static ThresholdResult DefaultGate(ScenarioSnapshot scenario)
    {
        ThresholdResult gate = Evaluate(ThresholdSpec.DefaultGate, scenario);
        return gate with { Note = gate.Note is null ? ThresholdSpec.DefaultGateNote : $"{ThresholdSpec.DefaultGateNote}; {gate.Note}" };
    }

    private static ThresholdResult EvaluateWindows(ThresholdSpec spec, ScenarioSnapshot scenario, Threshold threshold, StepSnapshot subject, TimeSpan window, bool trailingOnly)
    {
        IReadOnlyList<SecondSample> seconds = subject.Seconds;
        int width = Math.Min(seconds.Count, (int)Math.Ceiling(window.TotalSeconds));
        long[] counts = new long[LatencyHistogram.BucketLength];
        long ok = 0, fail = 0, dropped = 0;
        TimeSpan duration = TimeSpan.Zero;
        double? worst = null;
        int worstEnd = 0;
        int firstEnd = trailingOnly ? seconds.Count - 1 : width - 1;
        for (int i = 0; i < seconds.Count; i++)
        {
            Accumulate(seconds[i], +1);
            if (i >= width)
            {
                Accumulate(seconds[i - width], -1);
            }

            if (i < firstEnd)
            {
                continue;
            }

            long count = ok + fail;
            if (NeedsResults(threshold) && count == 0)
            {
                continue;
            }

            double observed = threshold.Metric switch
            {
                ThresholdMetric.ErrorRate => count == 0 ? 0 : (double)fail / count,
                ThresholdMetric.Rps => duration > TimeSpan.Zero ? count / duration.TotalSeconds : 0,
                ThresholdMetric.Dropped => dropped,
                ThresholdMetric.Count => count,
                ThresholdMetric.Failures => fail,
                _ => TimeOf(threshold, counts, count),
            };
            if (worst is null || IsWorse(threshold, observed, worst.Value))
            {
                (worst, worstEnd) = (observed, i);
            }
        }

        if (worst is null)
        {
            return Fail(spec, scenario, threshold, "no results to measure in any window");
        }

        int from = Math.Max(0, worstEnd - width + 1);
        return Result(spec, scenario, threshold, worst.Value, $"worst window: seconds {seconds[from].Second}–{seconds[worstEnd].Second + 1}");

        void Accumulate(SecondSample s, int sign)
        {
            ok += sign * s.Ok;
            fail += sign * s.Fail;
            duration += sign * s.Duration;
            dropped += sign * DroppedIn(scenario, s.Second);
            HistogramSerializer.ReadCounts(s.LatencyHistogram, counts, sign);
        }
    }

    private static long DroppedIn(ScenarioSnapshot scenario, int second)
    {
        foreach (LoadSample l in scenario.Load)
        {
            if (l.Second == second)
            {
                return l.Dropped;
            }
        }

        return 0;
    }

    private static bool IsWorse(Threshold threshold, double candidate, double current) => threshold.Comparison switch
    {
        Comparison.Less or Comparison.LessOrEqual => candidate > current,
        Comparison.Greater or Comparison.GreaterOrEqual => candidate < current,
        _ => !threshold.Holds(candidate) && threshold.Holds(current),
    };

    private static bool NeedsResults(Threshold threshold) =>
        threshold.Metric is not (ThresholdMetric.Dropped or ThresholdMetric.Count or ThresholdMetric.Failures);

    private static double TimeOf(Threshold threshold, LatencyHistogram histogram)
    {
        long[] counts = new long[LatencyHistogram.BucketLength];
        histogram.CopyCountsTo(counts);
        return TimeOf(threshold, counts, LatencyHistogram.TotalOf(counts));
    }

    private static double TimeOf(Threshold threshold, long[] counts, long total)
    {
        LatencySummary summary = LatencySummary.FromCounts(counts);
        return threshold.Metric switch
        {
            ThresholdMetric.Mean => summary.MeanNanoseconds,
            ThresholdMetric.Min => summary.MinNanoseconds,
            ThresholdMetric.Max => summary.MaxNanoseconds,
            _ => LatencySummary.ValueAtPercentile(counts, total, threshold.Percentile),
        };
    }

    private static ThresholdResult Result(ThresholdSpec spec, ScenarioSnapshot scenario, Threshold threshold, double observed, string? note) =>
        new(scenario.Name, spec.Step, threshold.Text, observed, FormatObserved(threshold, observed), threshold.Holds(observed), note);

    private static ThresholdResult Fail(ThresholdSpec spec, ScenarioSnapshot scenario, Threshold threshold, string why) =>
        new(scenario.Name, spec.Step, threshold.Text, double.NaN, "n/a", Passed: false, why);

    /// <summary>An observed value in the threshold's own terms: 812ms, 1.25%, 40.2/s, 3.</summary>
    public static string FormatObserved(Threshold threshold, double observed)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        return threshold.Metric switch
        {
            ThresholdMetric.ErrorRate or ThresholdMetric.Goodput or ThresholdMetric.CheckRate => string.Create(CultureInfo.InvariantCulture, $"{observed * 100:0.##}%"),
            _ when threshold.Llm == LlmMeasure.OutputTokensPerSecond => string.Create(CultureInfo.InvariantCulture, $"{observed:0.##} tokens/s"),
            ThresholdMetric.Rps => string.Create(CultureInfo.InvariantCulture, $"{observed:0.#}/s"),
            ThresholdMetric.Dropped or ThresholdMetric.Count or ThresholdMetric.Failures => string.Create(CultureInfo.InvariantCulture, $"{observed:0}"),
            _ => DurationText.FormatNanoseconds((long)observed),
        };
    }
}
