using Probe.Engine.Histograms;
using Probe.Engine.Results;

namespace Probe.Engine.Stats;

/// <summary>A step's (or a scenario's iterations') figures at one moment: while running, or final.</summary>
public sealed record StepSnapshot
{
    public required string Name { get; init; }

    public required long Ok { get; init; }

    public required long Fail { get; init; }

    public long Count => Ok + Fail;

    public required long Bytes { get; init; }

    /// <summary>Failed ÷ all, from 0 to 1; 0 when nothing ran.</summary>
    public double ErrorRate => Count == 0 ? 0 : (double)Fail / Count;

    /// <summary>Results per second over the measured time.</summary>
    public required double Rps { get; init; }

    /// <summary>From the intended start (the truth a user would see under this arrival rate).</summary>
    public required LatencySummary Latency { get; init; }

    /// <summary>From the actual start (what the target took once asked).</summary>
    public required LatencySummary ServiceTime { get; init; }

    public required IReadOnlyDictionary<int, long> StatusCodes { get; init; }

    public required IReadOnlyDictionary<FailureReason, long> FailureReasons { get; init; }

    /// <summary>A few distinct failure messages, for people reading the report.</summary>
    public required IReadOnlyList<string> FailureMessages { get; init; }

    public required IReadOnlyList<SecondSample> Seconds { get; init; }

    /// <summary>The whole latency histogram, for percentiles beyond the summary and exact merges.</summary>
    public required LatencyHistogram LatencyHistogram { get; init; }

    /// <summary>Request phases that the step measured (dns, connect, tls, ttfb, transfer), by name.</summary>
    public IReadOnlyDictionary<string, LatencySummary> Phases { get; init; } = new Dictionary<string, LatencySummary>();

    /// <summary>The whole histogram of each phase in <see cref="Phases"/> (for metrics.prom and exact merges); empty when a stored run predates them.</summary>
    public IReadOnlyDictionary<string, LatencyHistogram> PhaseHistograms { get; init; } = new Dictionary<string, LatencyHistogram>();

    /// <summary>Token figures, when the step asked a model; null otherwise.</summary>
    public LlmSnapshot? Llm { get; init; }

    /// <summary>The whole service-time histogram.</summary>
    public required LatencyHistogram ServiceTimeHistogram { get; init; }
}
