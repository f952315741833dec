namespace Probe.DemoTarget.Faults;

/// <summary>
/// What the demo target is told to do wrong. Changed from the command line at start and at run time
/// with <c>PUT /_demo/faults</c>; applies to every endpoint but <c>/_demo/*</c>.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Added to every response. The default is none.</summary>
    public LatencyDistribution Latency { get; init; } = LatencyDistribution.None;

    /// <summary>Share of requests answered 500, exactly: with 0.2, every fifth. 0 to 1; the default is 0.</summary>
    public double ErrorRate { get; init; }

    /// <summary>Share of requests whose connection is dropped without an answer, exactly as for errors. 0 to 1.</summary>
    public double DropRate { get; init; }

    /// <summary>With <see cref="StallFor"/>: every period, requests wait until the stall is over. Null: no stalls.</summary>
    public TimeSpan? StallEvery { get; init; }

    /// <summary>How long each stall lasts, from the start of its period.</summary>
    public TimeSpan StallFor { get; init; }

    /// <summary>Requests a client may make per <see cref="RateLimitWindow"/> on /api/*; 0 turns the limit off. The default is 100.</summary>
    public int RateLimit { get; init; } = 100;

    /// <summary>The rate-limit window. The default is 60 s.</summary>
    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Streaming answers: time to the first token. The default is 50 ms.</summary>
    public TimeSpan TimeToFirstToken { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Streaming answers: the gap between tokens. The default is 5 ms.</summary>
    public TimeSpan InterTokenGap { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Share of LLM and RAG answers paced slowly (with <see cref="SlowTimeToFirstToken"/> and <see cref="SlowInterTokenGap"/>), exactly: with 0.2, every fifth. 0 to 1; the default is 0.</summary>
    public double SlowShare { get; init; }

    /// <summary>Slow answers: time to the first token; null keeps <see cref="TimeToFirstToken"/>.</summary>
    public TimeSpan? SlowTimeToFirstToken { get; init; }

    /// <summary>Slow answers: the gap between tokens; null keeps <see cref="InterTokenGap"/>.</summary>
    public TimeSpan? SlowInterTokenGap { get; init; }

    /// <summary>Checks the values; returns what is wrong, or nothing.</summary>
    public IEnumerable<string> Problems()
    {
        if (ErrorRate is < 0 or > 1)
        {
            yield return $"error rate {ErrorRate} must be from 0 to 1";
        }

        if (DropRate is < 0 or > 1)
        {
            yield return $"drop rate {DropRate} must be from 0 to 1";
        }

        if (StallEvery is { } every && (every <= TimeSpan.Zero || StallFor < TimeSpan.Zero || StallFor > every))
        {
            yield return "a stall must last from 0 to its period, and the period must be greater than zero";
        }

        if (SlowShare is < 0 or > 1)
        {
            yield return $"slow share {SlowShare} must be from 0 to 1";
        }

        if (TimeToFirstToken < TimeSpan.Zero || InterTokenGap < TimeSpan.Zero || SlowTimeToFirstToken < TimeSpan.Zero || SlowInterTokenGap < TimeSpan.Zero)
        {
            yield return "token timings must be 0 or more";
        }

        if (RateLimit < 0 || RateLimitWindow <= TimeSpan.Zero)
        {
            yield return "the rate limit must be 0 or more per a window greater than zero";
        }
    }
}
