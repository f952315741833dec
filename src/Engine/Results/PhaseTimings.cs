namespace Probe.Engine.Results;

/// <summary>
/// How long each phase of a request took, in nanoseconds; -1 where a phase did not happen (no new
/// connection, plain HTTP). Recorded per step into one histogram per phase.
/// </summary>
public readonly record struct PhaseTimings(long DnsNs, long ConnectNs, long TlsNs, long TimeToFirstByteNs, long TransferNs)
{
    /// <summary>The phase names, in order, as reports and metric labels use them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["dns", "connect", "tls", "ttfb", "transfer"];

    /// <summary>No phase recorded.</summary>
    public static PhaseTimings None { get; } = new(-1, -1, -1, -1, -1);

    /// <summary>Phase <paramref name="phase"/> (an index into <see cref="Names"/>) in nanoseconds, or −1.</summary>
    public long this[int phase] => phase switch
    {
        0 => DnsNs,
        1 => ConnectNs,
        2 => TlsNs,
        3 => TimeToFirstByteNs,
        _ => TransferNs,
    };
}
