using System.Globalization;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Engine.Thresholds;

/// <summary>A scenario's figures from an earlier run: latency percentiles in nanoseconds, error rate, rps.</summary>
public sealed record BaselineFigures(IReadOnlyDictionary<string, double> Values);

/// <summary>Compares a run's scenario figures with a baseline run's, rule by rule, saying what regressed and by how much.</summary>
public static class BaselineComparer
{
    /// <summary>The figures of <paramref name="snapshot"/> by metric name, in base units (ns, ratio, per second).</summary>
    public static IReadOnlyDictionary<string, double> FiguresOf(StepSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        LatencySummary l = snapshot.Latency;
        return new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["p50"] = l.P50Nanoseconds,
            ["p75"] = l.P75Nanoseconds,
            ["p90"] = l.P90Nanoseconds,
            ["p95"] = l.P95Nanoseconds,
            ["p99"] = l.P99Nanoseconds,
            ["p99.9"] = l.P999Nanoseconds,
            ["mean"] = l.MeanNanoseconds,
            ["max"] = l.MaxNanoseconds,
            ["error_rate"] = snapshot.ErrorRate,
            ["rps"] = snapshot.Rps,
        };
    }

    public static ThresholdResult Compare(string scenario, BaselineRule rule, StepSnapshot current, BaselineFigures? baseline)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (baseline is null || !baseline.Values.TryGetValue(rule.Metric, out double before))
        {
            return new ThresholdResult(scenario, null, rule.Text, double.NaN, "n/a", Passed: true, "the baseline has no figures for this scenario");
        }

        double now = FiguresOf(current)[rule.Metric];
        string change = before == 0 ? (now == 0 ? "no change" : "up from 0") : string.Create(CultureInfo.InvariantCulture, $"{(now - before) / before * 100:+0.#;-0.#;0}%");
        string text = $"{Format(rule.Metric, now)} vs {Format(rule.Metric, before)} in the baseline ({change})";
        bool passed = rule.Holds(now, before);
        return new ThresholdResult(scenario, null, rule.Text, now, text, passed, passed ? null : $"{rule.Metric} regressed: {text}, limit {Format(rule.Metric, rule.Limit(before))}");
    }

    private static string Format(string metric, double value) => metric switch
    {
        "error_rate" => string.Create(CultureInfo.InvariantCulture, $"{value * 100:0.##}%"),
        "rps" => string.Create(CultureInfo.InvariantCulture, $"{value:0.#}/s"),
        _ => DurationText.FormatNanoseconds((long)value),
    };
}
