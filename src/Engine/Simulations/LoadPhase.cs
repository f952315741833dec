namespace Probe.Engine.Simulations;

/// <summary>The runtime form of a <see cref="LoadSimulation"/>: pure functions of the time elapsed in the phase.</summary>
internal abstract class LoadPhase
{
    protected LoadPhase(TimeSpan? during) => During = during;

    public abstract LoadModel Model { get; }

    /// <summary>The phase's length, or null when it ends with its iterations.</summary>
    public TimeSpan? During { get; }

    /// <summary>Where this phase leaves the load, for the ramp after it.</summary>
    public abstract PhaseStart End { get; }
}

/// <summary>A pause: nothing runs.</summary>
internal sealed class PausePhase(TimeSpan during) : LoadPhase(during)
{
    public override LoadModel Model => LoadModel.Pause;

    public override PhaseStart End => default;
}
