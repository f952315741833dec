namespace Probe.Engine.Simulations;

/// <summary>
/// One phase of a scenario's load, in NBomber's vocabulary. Phases run one after another; a ramp
/// starts from where the phase before it ended (0 after a pause, or after a phase of the other model).
/// Build them with <see cref="Simulation"/>.
/// </summary>
public abstract record LoadSimulation
{
    private protected LoadSimulation()
    {
    }

    /// <summary>Whether the phase is the open model (arrival rate), the closed model (concurrent copies), or a pause.</summary>
    public abstract LoadModel Model { get; }

    /// <summary>How long the phase lasts, or null when it ends after a number of iterations.</summary>
    public abstract TimeSpan? During { get; }

    internal abstract LoadPhase Compile(PhaseStart start);

    /// <summary>The phases this simulation runs as: itself, or several (<see cref="InjectRandomSimulation"/>).</summary>
    internal virtual IEnumerable<LoadSimulation> Expand() => [this];

    /// <summary>
    /// This phase lasting <paramref name="factor"/> times as long at the same rates and copies (a
    /// phase that ends after a number of iterations is unchanged); durations keep at least 1 ms.
    /// </summary>
    public abstract LoadSimulation Scale(double factor);

    /// <summary>
    /// Shard <paramref name="index"/> of <paramref name="count"/>'s share of this phase: rates, copies
    /// and iteration counts split so the shards together make exactly the whole (see
    /// <see cref="ShareOf(long, int, int)"/>); durations stay.
    /// </summary>
    public abstract LoadSimulation Split(int index, int count);

    /// <summary>Open-model phases: evenly spaced arrivals (the default) or a Poisson process of the same rate.</summary>
    public ArrivalPattern Arrivals { get; init; }

    /// <summary>With <see cref="ArrivalPattern.Poisson"/>: the seed of the arrival times, so a run can be repeated exactly. The default is 0.</summary>
    public int Seed { get; init; }

    /// <summary>The open phase with this simulation's arrival pattern.</summary>
    private protected OpenPhase Arrive(OpenPhase even, long? iterationLimit) =>
        Arrivals == ArrivalPattern.Poisson ? even.WithPoissonArrivals(Seed, iterationLimit) : even;

    /// <summary>A shard's seed: its own, so shards' arrivals are independent.</summary>
    private protected int ShardSeed(int index) => unchecked((Seed * 31) + index);

    /// <summary>", poisson arrivals" for people, or nothing.</summary>
    private protected string ArrivalsText => Arrivals == ArrivalPattern.Poisson ? $", poisson arrivals (seed {Seed})" : string.Empty;

    /// <summary>Shard <paramref name="index"/>'s part of a whole of <paramref name="total"/>: ⌊total/N⌋ plus one while index &lt; total mod N.</summary>
    public static long ShareOf(long total, int index, int count) => (total / count) + (index < total % count ? 1 : 0);

    private protected static int ShareOf(int total, int index, int count) => (int)ShareOf((long)total, index, count);

    /// <summary>A duration <paramref name="factor"/> times as long, kept at 1 ms at least.</summary>
    public static TimeSpan Scaled(TimeSpan duration, double factor) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (long)Math.Round(duration.Ticks * factor)));

    /// <summary>An arrival rate as suites write it: "20/s" per second, "6/1m" otherwise.</summary>
    private protected static string RateText(int rate, TimeSpan interval) =>
        interval == TimeSpan.FromSeconds(1) ? $"{rate}/s" : $"{rate}/{Timing.DurationText.Format(interval)}";

    internal static TimeSpan RequirePositive(TimeSpan value, string name) =>
        value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be greater than zero.");

    internal static int RequireNonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be zero or more.");
}

/// <summary>Which load model a phase uses.</summary>
public enum LoadModel
{
    /// <summary>Iterations start at an arrival rate, whatever the target does (k6 arrival-rate executors).</summary>
    Open,

    /// <summary>A number of copies (virtual users) each run iterations back to back.</summary>
    Closed,

    /// <summary>Nothing runs.</summary>
    Pause,
}

/// <summary>Where the previous phase left the load: a ramp starts from here.</summary>
internal readonly record struct PhaseStart(int Copies, double RatePerSecond);

/// <summary>How an open-model phase spaces its arrivals.</summary>
public enum ArrivalPattern
{
    /// <summary>Evenly spaced: iteration k at the moment k arrivals are due.</summary>
    Even,

    /// <summary>A Poisson process: exponential gaps, as LLM serving benchmarks send requests.</summary>
    Poisson,
}
