namespace Probe.Engine.Simulations;

/// <summary>Open model: starts <see cref="Rate"/> iterations every <see cref="Interval"/>, evenly spaced, for <see cref="During"/>.</summary>
public sealed record InjectSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Rate must be 0 or more; interval and duration greater than zero.</summary>
    public InjectSimulation(int rate, TimeSpan interval, TimeSpan during)
    {
        Rate = RequireNonNegative(rate, nameof(rate));
        Interval = RequirePositive(interval, nameof(interval));
        During = RequirePositive(during, nameof(during));
    }

    public int Rate { get; }

    public TimeSpan Interval { get; }

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Open;

    internal override LoadPhase Compile(PhaseStart start) => Arrive(OpenPhase.Constant(Rate, Interval, During!.Value, iterationLimit: null), iterationLimit: null);

    public override LoadSimulation Scale(double factor) => new InjectSimulation(Rate, Interval, Scaled(During!.Value, factor)) { Arrivals = Arrivals, Seed = Seed };

    public override LoadSimulation Split(int index, int count) => new InjectSimulation(ShareOf(Rate, index, count), Interval, During!.Value) { Arrivals = Arrivals, Seed = ShardSeed(index) };

    public override string ToString() => $"inject {RateText(Rate, Interval)} for {Timing.DurationText.Format(During!.Value)}{ArrivalsText}";
}
