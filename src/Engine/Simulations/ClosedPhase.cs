namespace Probe.Engine.Simulations;

/// <summary>
/// A closed-model phase: the number of copies moves linearly from <see cref="StartCopies"/> to
/// <see cref="EndCopies"/>, truncated toward the start, so copies(t) = c0 + trunc((c1 − c0)·t / D)
/// and the target is reached exactly at the phase's end.
/// </summary>
internal sealed class ClosedPhase : LoadPhase
{
    public ClosedPhase(int startCopies, int endCopies, TimeSpan? during, long? iterationLimit)
        : base(during)
    {
        StartCopies = startCopies;
        EndCopies = endCopies;
        IterationLimit = iterationLimit;
    }

    public override LoadModel Model => LoadModel.Closed;

    public int StartCopies { get; }

    public int EndCopies { get; }

    /// <summary>When set, the phase ends once this many iterations are done, whatever the time.</summary>
    public long? IterationLimit { get; }

    public override PhaseStart End => new(EndCopies, 0);

    /// <summary>The number of copies that should be running at <paramref name="elapsed"/> into the phase.</summary>
    public int CopiesAt(TimeSpan elapsed)
    {
        if (During is not { } d || StartCopies == EndCopies)
        {
            return StartCopies;
        }

        long t = Math.Clamp(elapsed.Ticks, 0, d.Ticks);
        return StartCopies + (int)((Int128)(EndCopies - StartCopies) * t / d.Ticks);
    }

    /// <summary>The first time after <paramref name="elapsed"/> at which <see cref="CopiesAt"/> changes, or null.</summary>
    public TimeSpan? NextChangeAfter(TimeSpan elapsed)
    {
        if (During is not { } d || StartCopies == EndCopies)
        {
            return null;
        }

        long span = Math.Abs((long)EndCopies - StartCopies);
        long steps = Math.Abs((long)CopiesAt(elapsed) - StartCopies) + 1;
        if (steps > span)
        {
            return null;
        }

        // The smallest t with trunc(span·t / D) ≥ steps is ⌈steps·D / span⌉.
        Int128 numerator = (Int128)steps * d.Ticks;
        return TimeSpan.FromTicks((long)((numerator + span - 1) / span));
    }
}
