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
