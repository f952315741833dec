using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// What the status page and <c>/api/status</c> show, computed from the store at each refresh (<c>At</c>):
/// <c>Regions</c> are every region seen in the store over the last day and those this runner serves;
/// <c>Quorum</c> is the N of "N of M regions" that must succeed for a check to count as up;
/// <c>Error</c> says why the last refresh failed (the store is down), or is null.
/// </summary>
internal sealed record StatusSnapshot(
    DateTimeOffset At,
    string Suite,
    string Store,
    IReadOnlyList<string> Regions,
    int Quorum,
    IReadOnlyList<ScenarioStatus> Checks,
    IReadOnlyList<SyntheticResult> RecentFailures,
    IReadOnlyList<SloStatus> Slos,
    string? Error)
{
    public static StatusSnapshot Empty(string suite, string store, IReadOnlyList<string> regions) =>
        new(DateTimeOffset.MinValue, suite, store, regions, 1, [], [], [], "no results yet");

    /// <summary>The suite's maintenance windows that are on now or still to come.</summary>
    public IReadOnlyList<MaintenanceStatus> Maintenance { get; init; } = [];

    /// <summary>The window on now for <paramref name="scenario"/>, if one is.</summary>
    public MaintenanceStatus? MaintenanceOf(string scenario) =>
        Maintenance.FirstOrDefault(m => m.Active && m.Window.Covers(scenario));
}

/// <summary>
/// A maintenance window as the status page shows it: on now (<see cref="Active"/>, with the span it is in)
/// or the next span it will be on.
/// </summary>
internal sealed record MaintenanceStatus(Probe.Scenarios.Suite.MaintenanceWindow Window, bool Active, DateTimeOffset Start, DateTimeOffset End)
{
    /// <summary>The windows of <paramref name="suite"/> on at <paramref name="now"/> or to come, those on first.</summary>
    public static IReadOnlyList<MaintenanceStatus> Of(Probe.Scenarios.Suite.SuiteDefinition suite, DateTimeOffset now) => suite.Maintenance
        .Select(w => w.ActiveAt(now) is { } on ? new MaintenanceStatus(w, true, on.Start, on.End)
            : w.NextAfter(now) is { } next ? new MaintenanceStatus(w, false, next.Start, next.End)
            : null)
        .OfType<MaintenanceStatus>()
        .OrderByDescending(m => m.Active).ThenBy(m => m.Start)
        .ToArray();
}

/// <summary>One check across regions: each region's state and whether the quorum holds.</summary>
internal sealed record ScenarioStatus(string Scenario, string Schedule, IReadOnlyList<RegionStatus> Regions, int Succeeding, bool QuorumUp);

/// <summary>
/// One check in one region: its last result, its success ratio over the last 60 minutes and the day
/// (the 24 clock hours up to now, the current one so far), and that day hour by hour
/// (<see cref="History"/>: 24 ratios, oldest first, null for an hour without runs).
/// </summary>
internal sealed record RegionStatus(string Region, SyntheticResult? Last, double? LastHour, double? LastDay, long RunsLastDay)
{
    public IReadOnlyList<double?> History { get; init; } = [];
}

/// <summary>
/// One SLO: attainment and error budget left over its window, across regions (timeslices of N of M
/// regions for availability, occurrences for latency) and per region.
/// </summary>
internal sealed record SloStatus(string Name, string Kind, double Objective, TimeSpan Window, double Attainment, double BudgetRemaining, IReadOnlyDictionary<string, double> ByRegion)
{
    /// <summary>How fast the window spent its error budget: the error ratio over the budgeted one (1 spends it exactly by the window's end).</summary>
    public double BurnRate => Objective >= 1 ? (Attainment >= 1 ? 0 : double.PositiveInfinity) : (1 - Attainment) / (1 - Objective);
}
