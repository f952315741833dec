namespace Probe.Engine.Simulations;

/// <summary>Open model: the arrival rate moves linearly from the previous phase's rate to <see cref="Rate"/> per <see cref="Interval"/> over <see cref="During"/>.</summary>
public sealed record RampingInjectSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Rate must be 0 or more; interval and duration greater than zero.</summary>
    public RampingInjectSimulation(int rate, TimeSpan interval, TimeSpan during)
    {
        Rate = RequireNonNegative(rate, nameof(rate));
        Interval = RequirePositive(interval, nameof(interval));
        During = RequirePositive(during, nameof(during));
    }

    public int Rate { get; }

    public TimeSpan Interval { get; }

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Open;

    internal override LoadPhase Compile(PhaseStart start) =>
        Arrive(OpenPhase.Ramp(start.RatePerSecond, Rate / Interval.TotalSeconds, During!.Value), iterationLimit: null);

    public override LoadSimulation Scale(double factor) => new RampingInjectSimulation(Rate, Interval, Scaled(During!.Value, factor)) { Arrivals = Arrivals, Seed = Seed };

    public override LoadSimulation Split(int index, int count) => new RampingInjectSimulation(ShareOf(Rate, index, count), Interval, During!.Value) { Arrivals = Arrivals, Seed = ShardSeed(index) };

    public override string ToString() => $"ramping-inject to {RateText(Rate, Interval)} over {Timing.DurationText.Format(During!.Value)}{ArrivalsText}";
}
