using Probe.Scenarios.Binding;

namespace Probe.Runner.Synthetics;

/// <summary>How <c>probe synthetics</c> runs; the command line fills it in.</summary>
internal sealed record SyntheticsOptions
{
    /// <summary>The regions this process serves (one in production, several for local use).</summary>
    public required IReadOnlyList<string> Regions { get; init; }

    /// <summary>Only these scheduled scenarios (all when empty).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Simulated network conditions per region (for testing alert logic).</summary>
    public IReadOnlyDictionary<string, NetworkConditions> Network { get; init; } = new Dictionary<string, NetworkConditions>();

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Spreads starts within each schedule's jitter; seeded in tests.</summary>
    public Random Random { get; init; } = Random.Shared;

    /// <summary>N of "N of M regions"; null for a majority of the regions seen.</summary>
    public int? Quorum { get; init; }

    /// <summary>How often the SLO gauges and the status page are recomputed from the store. The default is 15 s.</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>/readyz fails once the store has been unreachable this long, or the scheduler this far behind a due check. The default is 60 s.</summary>
    public TimeSpan ReadyBound { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>On shutdown, running checks get this long to finish, and the spool as long again to drain. The default is 10 s.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The --data folder (the dead-letter file goes there); null for the spool's folder.</summary>
    public string? Data { get; init; }

    /// <summary>Why the store could not be reached at start, or null when it could: the runner starts anyway and spools until it can.</summary>
    public Exception? StoreDownAtStart { get; init; }

    /// <summary>Results older than this are deleted from the store (checked hourly). The default is 90 days.</summary>
    public TimeSpan Retention { get; init; } = TimeSpan.FromDays(90);
}
