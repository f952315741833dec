using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>
/// The token figures of a step that asked a model (docs/suite.md "Token metrics"): histograms of time
/// to first token, inter-token latency, time per output token and end-to-end latency, token counts,
/// and each request's figures for goodput.
/// </summary>
public sealed record LlmSnapshot
{
    /// <summary>Requests asked, answered or not.</summary>
    public long Requests => Records.Count;

    /// <summary>Requests whose answer came whole.</summary>
    public long Answered => Records.Count(r => r.Ok);

    /// <summary>Answers that were streamed.</summary>
    public required long Streamed { get; init; }

    public required LatencyHistogram TimeToFirstToken { get; init; }

    public required LatencyHistogram InterTokenLatency { get; init; }

    public required LatencyHistogram TimePerOutputToken { get; init; }

    public required LatencyHistogram EndToEnd { get; init; }

    public required long OutputTokens { get; init; }

    public required long InputTokens { get; init; }

    /// <summary>Answers whose output tokens came from the API's usage.</summary>
    public required long CountedFromUsage { get; init; }

    /// <summary>Answers whose output tokens were counted as content chunks (the API gave no usage).</summary>
    public required long CountedFromChunks { get; init; }

    /// <summary>Each request's figures, in the order they ended: what goodput is computed from.</summary>
    public required IReadOnlyList<LlmRecord> Records { get; init; }

    /// <summary>Where the token counts came from: "usage", "chunks", "usage and chunks" or "none".</summary>
    public string TokenSource => (CountedFromUsage > 0, CountedFromChunks > 0) switch
    {
        (true, true) => "usage and chunks",
        (true, false) => "usage",
        (false, true) => "chunks",
        _ => "none",
    };

    /// <summary>Output tokens per second of each answered request (output tokens ÷ end-to-end), summarized.</summary>
    public RateSummary OutputTokensPerSecond => RateSummary.Of(Records.Where(r => r.Ok && r.OutputTokensPerSecond >= 0).Select(r => r.OutputTokensPerSecond));

    /// <summary>
    /// The share of requests (failed ones included) meeting every objective at once; 1 when there
    /// were none. A request lacking a figure an objective reads (no TPOT on a one-token answer) does
    /// not meet that objective, unless the figure cannot exist for it (TPOT of an unstreamed answer,
    /// one-token answers), where the objective is waived as vLLM does.
    /// </summary>
    public double Goodput(IReadOnlyList<LlmObjective> objectives)
    {
        ArgumentNullException.ThrowIfNull(objectives);
        return Records.Count == 0 ? 1 : (double)Records.Count(r => r.Meets(objectives)) / Records.Count;
    }

    /// <summary>Every part's figures together (shards, several LLM steps of a scenario).</summary>
    public static LlmSnapshot? Merge(IEnumerable<LlmSnapshot?> parts)
    {
        LlmSnapshot[] present = parts.OfType<LlmSnapshot>().ToArray();
        if (present.Length == 0)
        {
            return null;
        }

        if (present.Length == 1)
        {
            return present[0];
        }

        return new LlmSnapshot
        {
            Streamed = present.Sum(p => p.Streamed),
            TimeToFirstToken = Sum(present.Select(p => p.TimeToFirstToken)),
            InterTokenLatency = Sum(present.Select(p => p.InterTokenLatency)),
            TimePerOutputToken = Sum(present.Select(p => p.TimePerOutputToken)),
            EndToEnd = Sum(present.Select(p => p.EndToEnd)),
            OutputTokens = present.Sum(p => p.OutputTokens),
            InputTokens = present.Sum(p => p.InputTokens),
            CountedFromUsage = present.Sum(p => p.CountedFromUsage),
            CountedFromChunks = present.Sum(p => p.CountedFromChunks),
            Records = present.SelectMany(p => p.Records).ToArray(),
        };
    }

    private static LatencyHistogram Sum(IEnumerable<LatencyHistogram> parts)
    {
        var sum = new LatencyHistogram(1);
        foreach (LatencyHistogram h in parts)
        {
            sum.Add(h);
        }

        return sum;
    }
}

/// <summary>One request's LLM figures, as goodput reads them; times in nanoseconds, −1 where a figure does not apply.</summary>
public readonly record struct LlmRecord(bool Ok, long TimeToFirstTokenNs, long TimePerOutputTokenNs, long EndToEndNs, double OutputTokensPerSecond)
{
    /// <summary>Whether the request got its answer and met every objective.</summary>
    public bool Meets(IReadOnlyList<LlmObjective> objectives)
    {
        if (!Ok)
        {
            return false;
        }

        foreach (LlmObjective o in objectives)
        {
            double value = o.Measure switch
            {
                LlmMeasure.TimeToFirstToken => TimeToFirstTokenNs,
                LlmMeasure.TimePerOutputToken => TimePerOutputTokenNs,
                LlmMeasure.EndToEnd => EndToEndNs,
                LlmMeasure.OutputTokensPerSecond => OutputTokensPerSecond,
                _ => -1,
            };
            if (value < 0)
            {
                if (o.Measure == LlmMeasure.TimePerOutputToken)
                {
                    continue; // no second token: nothing to pace (vLLM counts TPOT as met)
                }

                return false;
            }

            if (!o.Holds(value))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>The per-request LLM figures thresholds and goodput objectives name.</summary>
public enum LlmMeasure
{
    /// <summary><c>ttft</c>: request sent → first content token.</summary>
    TimeToFirstToken,

    /// <summary><c>itl</c>: the gaps between content chunks (not per request: thresholds only).</summary>
    InterTokenLatency,

    /// <summary><c>tpot</c>: (end-to-end − TTFT) ÷ (output tokens − 1).</summary>
    TimePerOutputToken,

    /// <summary><c>e2e</c>: request sent → end of the answer.</summary>
    EndToEnd,

    /// <summary><c>output_tps</c>: output tokens ÷ end-to-end, per request.</summary>
    OutputTokensPerSecond,
}

/// <summary>One per-request objective of a goodput threshold, such as <c>ttft &lt; 1s</c>.</summary>
/// <param name="Measure">What is measured.</param>
/// <param name="Comparison">The comparison.</param>
/// <param name="Bound">Nanoseconds for times, tokens per second for <see cref="LlmMeasure.OutputTokensPerSecond"/>.</param>
public sealed record LlmObjective(LlmMeasure Measure, Thresholds.Comparison Comparison, double Bound)
{
    public bool Holds(double value) => Comparison switch
    {
        Thresholds.Comparison.Less => value < Bound,
        Thresholds.Comparison.LessOrEqual => value <= Bound,
        Thresholds.Comparison.Greater => value > Bound,
        Thresholds.Comparison.GreaterOrEqual => value >= Bound,
        Thresholds.Comparison.Equal => value == Bound,
        _ => value != Bound,
    };
}

/// <summary>Mean, extremes and percentiles of a set of rates (tokens per second), exact.</summary>
public readonly record struct RateSummary(long Count, double Mean, double Min, double P50, double P90, double P95, double P99, double Max)
{
    public static RateSummary Of(IEnumerable<double> values)
    {
        double[] sorted = values.Order().ToArray();
        return sorted.Length == 0 ? default
            : new RateSummary(sorted.Length, sorted.Average(), sorted[0], At(sorted, 50), At(sorted, 90), At(sorted, 95), At(sorted, 99), sorted[^1]);
    }

    /// <summary>The nearest-rank percentile of <paramref name="sorted"/> (ascending, not empty), as the latency percentiles are.</summary>
    public static double At(IReadOnlyList<double> sorted, double percentile)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
