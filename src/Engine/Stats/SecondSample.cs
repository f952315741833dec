using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>
/// One second of a step's or scenario's results (the last one may be shorter): counts, bytes, latency
/// percentiles, and the second's latency histogram in compact form, for charts and windowed thresholds.
/// </summary>
public sealed record SecondSample(
    int Second,
    TimeSpan Duration,
    long Ok,
    long Fail,
    long Bytes,
    LatencySummary Latency,
    byte[] LatencyHistogram)
{
    public long Count => Ok + Fail;

    public double Rps => Duration > TimeSpan.Zero ? Count / Duration.TotalSeconds : 0;
}
