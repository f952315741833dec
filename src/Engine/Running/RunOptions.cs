using Probe.Engine.Stats;

namespace Probe.Engine.Running;

/// <summary>How a run is driven and watched.</summary>
public sealed record RunOptions
{
    /// <summary>Every clock of the run. The default is <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// An open-model iteration that starts later than this after it was due is a late start: the
    /// generator, not the target, delayed it. Greater than zero; the default is 10 ms.
    /// </summary>
    public TimeSpan LagBound { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// A scenario may start this many iterations late, or 1 % of its iterations if that is more,
    /// before the run is invalid. 0 or more; the default is 2.
    /// </summary>
    public int LateStartsAllowed { get; init; } = 2;

    /// <summary>
    /// On the system clock, the open-model scheduler spins (yielding) for the last part of each wait
    /// instead of trusting a timer, which fires about 1 ms late. 0 to 10 ms; the default is 1 ms.
    /// </summary>
    public TimeSpan SpinWindow { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// The plan starts this long after the run has set up, so that starting the drivers' threads and
    /// their first code is not in the first iterations' time. 0 to 10 s; the default is 50 ms.
    /// </summary>
    public TimeSpan StartLead { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>After the load ends, running iterations get this long to finish before they are cancelled. The default is 10 s.</summary>
    public TimeSpan GracefulStop { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where scenario logs and run notices go; null discards them.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Called about once a second with live figures (for progress displays); keep it quick.</summary>
    public Action<RunProgress>? OnProgress { get; init; }

    /// <summary>Changes the load while the run runs (see <see cref="LoadControl"/>); null: the plan alone decides. One control serves one run.</summary>
    public LoadControl? Control { get; init; }

    /// <summary>
    /// Before the clock starts, repeat the engine's warm-up until .NET has stopped recompiling its hot
    /// code (<see cref="Tiering"/>): for a process that compiles quickly first, so that the recompiling
    /// is not beside the schedule. The default is false; <c>probe run</c> sets it from <see cref="Tiering.QuickCompilation"/>.
    /// </summary>
    public bool WarmUntilCompiled { get; init; }

    /// <summary>Recording stripes per histogram; the default suits this machine's processors.</summary>
    public int Stripes { get; init; } = Histograms.LatencyHistogram.DefaultStripes;
}

/// <summary>Live figures for a progress display.</summary>
/// <param name="Elapsed">Time since the load started.</param>
/// <param name="PlannedDuration">The longest scenario plan, or null when a plan ends by iterations.</param>
/// <param name="Scenarios">Each scenario's figures so far.</param>
public sealed record RunProgress(TimeSpan Elapsed, TimeSpan? PlannedDuration, IReadOnlyList<ScenarioSnapshot> Scenarios);
