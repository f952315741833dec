namespace Probe.Engine.Simulations;

/// <summary>
/// Open model, NBomber's <c>InjectRandom</c>: every <see cref="Interval"/> a rate drawn between
/// <see cref="MinRate"/> and <see cref="MaxRate"/> (both included) per interval, evenly spaced within
/// it, for <see cref="During"/>. The draws come from <see cref="LoadSimulation.Seed"/>, so a run can be
/// repeated exactly, and shards of a sharded run draw the same rates and split each one.
/// </summary>
public sealed record InjectRandomSimulation : LoadSimulation
{
    /// <summary>Creates the phase: 0 ≤ minRate ≤ maxRate; interval and duration greater than zero.</summary>
    public InjectRandomSimulation(int minRate, int maxRate, TimeSpan interval, TimeSpan during)
    {
        MinRate = RequireNonNegative(minRate, nameof(minRate));
        MaxRate = maxRate >= minRate ? maxRate : throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, "maxRate must be minRate or more.");
        Interval = RequirePositive(interval, nameof(interval));
        During = RequirePositive(during, nameof(during));
    }

    public int MinRate { get; }

    public int MaxRate { get; }

    public TimeSpan Interval { get; }

    public override TimeSpan? During { get; }

    public override LoadModel Model => LoadModel.Open;

    /// <summary>Which shard's share of each drawn rate this phase starts (shard 0 of 1: all of it).</summary>
    private (int Index, int Count) Share { get; init; } = (0, 1);

    /// <summary>One <see cref="InjectSimulation"/> per interval (the last one cut at <see cref="During"/>), at the drawn rates.</summary>
    internal override IEnumerable<LoadSimulation> Expand()
    {
        var random = new Random(Seed);
        for (TimeSpan at = TimeSpan.Zero; at < During!.Value; at += Interval)
        {
            int whole = random.Next(MinRate, MaxRate + 1);
            TimeSpan length = During.Value - at < Interval ? During.Value - at : Interval;
            yield return new InjectSimulation(ShareOf(whole, Share.Index, Share.Count), Interval, length) { Arrivals = Arrivals, Seed = unchecked(Seed + (int)(at.Ticks / Interval.Ticks)) };
        }
    }

    internal override LoadPhase Compile(PhaseStart start) =>
        throw new InvalidOperationException("InjectRandom is compiled as the inject phases it expands to.");

    public override LoadSimulation Scale(double factor) => new InjectRandomSimulation(MinRate, MaxRate, Interval, Scaled(During!.Value, factor)) { Arrivals = Arrivals, Seed = Seed, Share = Share };

    public override LoadSimulation Split(int index, int count) => this with { Share = (index, count) };

    public override string ToString() => $"inject random {MinRate}..{RateText(MaxRate, Interval)} for {Timing.DurationText.Format(During!.Value)}{ArrivalsText}";
}
