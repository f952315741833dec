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
