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

    public override LoadSimulation Scale(double factor) => new KeepConstantSimulation(Copies, Scaled(During!.Value, factor));

    public override LoadSimulation Split(int index, int count) => new KeepConstantSimulation(ShareOf(Copies, index, count), During!.Value);

    public override string ToString() => $"keep-constant {Copies} for {Timing.DurationText.Format(During!.Value)}";
}
