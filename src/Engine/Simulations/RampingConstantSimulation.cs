namespace Probe.Engine.Simulations;

/// <summary>
/// Closed model: the number of virtual users moves linearly from the previous phase's to
/// <see cref="Copies"/> over <see cref="During"/> (k6 ramping-vus stages).
/// </summary>
public sealed record RampingConstantSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Copies must be 0 or more; duration greater than zero.</summary>
    public RampingConstantSimulation(int copies, TimeSpan during)
    {
        Copies = RequireNonNegative(copies, nameof(copies));
        During = RequirePositive(during, nameof(during));
    }

    public int Copies { get; }

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Closed;

    internal override LoadPhase Compile(PhaseStart start) => new ClosedPhase(start.Copies, Copies, During, iterationLimit: null);

    public override LoadSimulation Scale(double factor) => new RampingConstantSimulation(Copies, Scaled(During!.Value, factor));

    public override LoadSimulation Split(int index, int count) => new RampingConstantSimulation(ShareOf(Copies, index, count), During!.Value);

    public override string ToString() => $"ramping-constant to {Copies} over {Timing.DurationText.Format(During!.Value)}";
}
