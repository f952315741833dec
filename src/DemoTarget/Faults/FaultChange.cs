using System.Text.Json.Serialization;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Faults;

/// <summary>A change to the faults, as sent to <c>PUT /_demo/faults</c> or given on the command line; null fields keep their values.</summary>
public sealed record FaultChange(
    [property: JsonPropertyName("latency")] string? Latency = null,
    [property: JsonPropertyName("error_rate")] double? ErrorRate = null,
    [property: JsonPropertyName("drop_rate")] double? DropRate = null,
    [property: JsonPropertyName("stall_every")] string? StallEvery = null,
    [property: JsonPropertyName("stall_for")] string? StallFor = null,
    [property: JsonPropertyName("rate_limit")] int? RateLimit = null,
    [property: JsonPropertyName("rate_limit_window")] string? RateLimitWindow = null,
    [property: JsonPropertyName("ttft")] string? TimeToFirstToken = null,
    [property: JsonPropertyName("token_gap")] string? InterTokenGap = null,
    [property: JsonPropertyName("slow_share")] double? SlowShare = null,
    [property: JsonPropertyName("slow_ttft")] string? SlowTimeToFirstToken = null,
    [property: JsonPropertyName("slow_token_gap")] string? SlowInterTokenGap = null)
{
    /// <summary>The settings with this change applied.</summary>
    /// <exception cref="FormatException">A latency or duration does not parse.</exception>
    public FaultSettings ApplyTo(FaultSettings s) => s with
    {
        Latency = Latency is null ? s.Latency : LatencyDistribution.Parse(Latency),
        ErrorRate = ErrorRate ?? s.ErrorRate,
        DropRate = DropRate ?? s.DropRate,
        StallEvery = StallEvery is null ? s.StallEvery : StallEvery is "none" or "" ? null : DurationText.Parse(StallEvery),
        StallFor = StallFor is null ? s.StallFor : DurationText.Parse(StallFor),
        RateLimit = RateLimit ?? s.RateLimit,
        RateLimitWindow = RateLimitWindow is null ? s.RateLimitWindow : DurationText.Parse(RateLimitWindow),
        TimeToFirstToken = TimeToFirstToken is null ? s.TimeToFirstToken : DurationText.Parse(TimeToFirstToken),
        InterTokenGap = InterTokenGap is null ? s.InterTokenGap : DurationText.Parse(InterTokenGap),
        SlowShare = SlowShare ?? s.SlowShare,
        SlowTimeToFirstToken = SlowTimeToFirstToken is null ? s.SlowTimeToFirstToken : DurationText.Parse(SlowTimeToFirstToken),
        SlowInterTokenGap = SlowInterTokenGap is null ? s.SlowInterTokenGap : DurationText.Parse(SlowInterTokenGap),
    };
}
