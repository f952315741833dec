namespace Probe.Engine.Simulations;

/// <summary>Closed model: keeps <see cref="Copies"/> virtual users running iterations back to back for <see cref="During"/>.</summary>
public sealed record KeepConstantSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Copies must be 0 or more; duration greater than zero.</summary>
    public KeepConstantSimulation(int copies, TimeSpan during)
    {
        Copies = RequireNonNegative(copies, nameof(copies));
        During = RequirePositive(during, nameof(during));
    }

    public int Copies { get; }

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Closed;

    internal override LoadPhase Compile(PhaseStart start) => new ClosedPhase(Copies, Copies, During, iterationLimit: null);

    public override string ToString() => $"keep-constant {Copies} for {Timing.DurationText.Format(During!.Value)}";
}
