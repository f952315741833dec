namespace Probe.Engine.Simulations;

/// <summary>A scenario's simulations compiled into phases, each ramp starting where the previous phase ended.</summary>
internal sealed class LoadPlan
{
    private LoadPlan(IReadOnlyList<LoadPhase> phases, IReadOnlyList<LoadSimulation> simulations)
    {
        Phases = phases;
        Simulations = simulations;
    }

    public IReadOnlyList<LoadPhase> Phases { get; }

    public IReadOnlyList<LoadSimulation> Simulations { get; }

    /// <summary>The plan's length, or null when a phase ends by iterations rather than time.</summary>
    public TimeSpan? Duration =>
        Phases.Any(p => p.During is null) ? null : TimeSpan.FromTicks(Phases.Sum(p => p.During!.Value.Ticks));

    public static LoadPlan Compile(IReadOnlyList<LoadSimulation> simulations)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        if (simulations.Count == 0)
        {
            throw new ArgumentException("A scenario needs at least one load simulation.", nameof(simulations));
        }

        LoadSimulation[] expanded = simulations.SelectMany(s => s.Expand()).ToArray();
        var phases = new List<LoadPhase>(expanded.Length);
        var at = default(PhaseStart);
        foreach (LoadSimulation simulation in expanded)
        {
            // A ramp continues only within its own model: after the other model or a pause it starts from zero.
            LoadModel previous = phases.Count == 0 ? LoadModel.Pause : phases[^1].Model;
            PhaseStart from = previous == simulation.Model ? at : default;
            LoadPhase phase = simulation.Compile(from);
            phases.Add(phase);
            at = phase.End;
        }

        return new LoadPlan(phases, expanded);
    }

    /// <summary>The closed-model copies due at <paramref name="elapsed"/> into the plan (0 in open and pause phases).</summary>
    public int CopiesAt(TimeSpan elapsed)
    {
        (LoadPhase? phase, TimeSpan into) = PhaseAt(elapsed);
        return phase is ClosedPhase closed ? closed.CopiesAt(into) : 0;
    }

    /// <summary>The open-model arrival rate per second at <paramref name="elapsed"/> into the plan (0 elsewhere).</summary>
    public double RateAt(TimeSpan elapsed)
    {
        (LoadPhase? phase, TimeSpan into) = PhaseAt(elapsed);
        return phase is OpenPhase open ? open.RateAt(into) : 0;
    }

    /// <summary>The phase running at <paramref name="elapsed"/> (timed phases only) and the time into it.</summary>
    public (LoadPhase? Phase, TimeSpan Into) PhaseAt(TimeSpan elapsed)
    {
        TimeSpan start = TimeSpan.Zero;
        foreach (LoadPhase phase in Phases)
        {
            if (phase.During is not { } d)
            {
                return (phase, elapsed - start);
            }

            if (elapsed < start + d)
            {
                return (phase, elapsed - start);
            }

            start += d;
        }

        return (null, elapsed - start);
    }
}
