namespace Probe.Engine.Simulations;

/// <summary>Open model: starts <see cref="Rate"/> iterations every <see cref="Interval"/> until <see cref="Iterations"/> have started.</summary>
public sealed record IterationsForInjectSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Rate and iterations must be greater than zero; interval too.</summary>
    public IterationsForInjectSimulation(int rate, TimeSpan interval, long iterations)
    {
        Rate = rate > 0 ? rate : throw new ArgumentOutOfRangeException(nameof(rate), rate, "rate must be greater than zero.");
        Interval = RequirePositive(interval, nameof(interval));
        Iterations = iterations > 0 ? iterations : throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations must be greater than zero.");
    }

    public int Rate { get; }

    public TimeSpan Interval { get; }

    public long Iterations { get; }

    /// <summary>Known in advance: the time the last iteration is due, plus one spacing.</summary>
    public override TimeSpan? During => TimeSpan.FromTicks((long)(((Int128)Iterations * Interval.Ticks) / Rate));

    public override LoadModel Model => LoadModel.Open;

    internal override LoadPhase Compile(PhaseStart start) => Arrive(OpenPhase.Constant(Rate, Interval, During!.Value, Iterations), Iterations);

    /// <summary>The phase ends after its iterations: scaling time does not change it.</summary>
    public override LoadSimulation Scale(double factor) => this;

    public override LoadSimulation Split(int index, int count) =>
        new IterationsForInjectSimulation(Math.Max(1, ShareOf(Rate, index, count)), Interval, ShareOf(Iterations, index, count)) { Arrivals = Arrivals, Seed = ShardSeed(index) };

    public override string ToString() => $"inject {RateText(Rate, Interval)} for {Iterations} iterations{ArrivalsText}";
}
