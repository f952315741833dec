namespace Probe.Engine.Thresholds;

/// <summary>A parsed threshold: a metric, a comparison, a bound in the metric's base unit, and an optional window.</summary>
/// <param name="Text">The expression as written.</param>
/// <param name="Metric">What is measured.</param>
/// <param name="Percentile">For <see cref="ThresholdMetric.Percentile"/>: 0 to 100.</param>
/// <param name="Comparison">How the observed value is compared with <paramref name="Bound"/>.</param>
/// <param name="Bound">Nanoseconds for times, a ratio 0–1 for error_rate, per second for rps, a count otherwise.</param>
/// <param name="Window">With <c>over 5m</c>: the threshold must hold in every window of that length.</param>
public sealed record Threshold(
    string Text,
    ThresholdMetric Metric,
    double Percentile,
    Comparison Comparison,
    double Bound,
    TimeSpan? Window)
{
    /// <summary>Whether the metric is a time (latency, service time, or an LLM time such as ttft).</summary>
    public bool IsTime => Metric is ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max
        && Llm is not Stats.LlmMeasure.OutputTokensPerSecond;

    /// <summary>The LLM figure a statistic reads (<c>ttft p95</c>, <c>output_tps mean</c>); null for latency and service time.</summary>
    public Stats.LlmMeasure? Llm { get; init; }

    /// <summary>For <see cref="ThresholdMetric.Goodput"/>: the per-request objectives every good request meets.</summary>
    public IReadOnlyList<Stats.LlmObjective> Objectives { get; init; } = [];

    /// <summary>
    /// True when the threshold reads every step's results (k6's <c>http_req_duration</c>,
    /// <c>http_req_failed</c>, <c>http_reqs</c>: one per request) rather than whole iterations.
    /// </summary>
    public bool OnRequests { get; init; }

    /// <summary>True when the threshold reads service time rather than latency.</summary>
    public bool OnServiceTime { get; init; }

    /// <summary>Whether <paramref name="observed"/> satisfies the threshold.</summary>
    public bool Holds(double observed) => Comparison switch
    {
        Comparison.Less => observed < Bound,
        Comparison.LessOrEqual => observed <= Bound,
        Comparison.Greater => observed > Bound,
        Comparison.GreaterOrEqual => observed >= Bound,
        Comparison.Equal => observed == Bound,
        Comparison.NotEqual => observed != Bound,
        _ => false,
    };
}

/// <summary>What a threshold measures.</summary>
public enum ThresholdMetric
{
    Percentile,
    Mean,
    Min,
    Max,
    ErrorRate,
    Rps,
    Dropped,
    Count,
    Failures,

    /// <summary>The share of LLM requests meeting every objective at once: <c>goodput(ttft &lt; 1s, tpot &lt; 50ms) &gt;= 95%</c>.</summary>
    Goodput,

    /// <summary>The share of check evaluations that held (k6's <c>checks rate &gt; 0.99</c>).</summary>
    CheckRate,
}

/// <summary>The comparison of a threshold.</summary>
public enum Comparison
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
    NotEqual,
}
