namespace Probe.Engine.Simulations;

/// <summary>Runs nothing for <see cref="During"/>; a ramp after it starts from zero.</summary>
public sealed record PauseSimulation : LoadSimulation
{
    /// <summary>Creates the pause. Duration must be greater than zero.</summary>
    public PauseSimulation(TimeSpan during) => During = RequirePositive(during, nameof(during));

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Pause;

    internal override LoadPhase Compile(PhaseStart start) => new PausePhase(During!.Value);

    public override LoadSimulation Scale(double factor) => new PauseSimulation(Scaled(During!.Value, factor));

    /// <summary>A pause is the same for every shard.</summary>
    public override LoadSimulation Split(int index, int count) => this;

    public override string ToString() => $"pause {Timing.DurationText.Format(During!.Value)}";
}
