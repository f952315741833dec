namespace Probe.Engine.Stats;

/// <summary>
/// Open model: the iterations the generator started later than the lag bound after they were due,
/// counted, with the first few kept (when into the run, and how late) for the report.
/// </summary>
/// <param name="Count">How many iterations started late.</param>
/// <param name="First">The first late starts, in order (at most <see cref="Kept"/>).</param>
public sealed record LateStarts(long Count, IReadOnlyList<LateStart> First)
{
    /// <summary>How many late starts are kept for the report.</summary>
    public const int Kept = 10;

    public static readonly LateStarts None = new(0, []);

    /// <summary>The late starts of several parts (shards) together.</summary>
    public static LateStarts Merge(IEnumerable<LateStarts> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        LateStarts[] all = parts.ToArray();
        return new LateStarts(all.Sum(p => p.Count), all.SelectMany(p => p.First).OrderBy(s => s.At).Take(Kept).ToArray());
    }
}

/// <summary>One late start: <paramref name="At"/> into the measured run, <paramref name="Lag"/> after it was due.</summary>
public sealed record LateStart(TimeSpan At, TimeSpan Lag);
