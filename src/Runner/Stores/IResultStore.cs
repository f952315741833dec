using Probe.Exporter.Slo;
using Probe.Runner.Results;

namespace Probe.Runner.Stores;

/// <summary>
/// Where synthetic check results live. Writes are idempotent by result id: writing a batch twice
/// stores each result once. Queries answer the status page, the JSON API and the SLIs.
/// </summary>
internal interface IResultStore : IAsyncDisposable
{
    /// <summary>Where it is, without credentials (for logs and the status page).</summary>
    string Description { get; }

    /// <summary>What <paramref name="error"/>, thrown by one of this store's operations, says about the store.</summary>
    StoreFault Classify(Exception error);

    /// <summary>Creates or upgrades the schema; safe when several runners start at once.</summary>
    Task MigrateAsync(CancellationToken cancellation);

    /// <summary>Stores the batch in one transaction; results already stored are left as they are.</summary>
    Task WriteAsync(IReadOnlyList<SyntheticResult> batch, CancellationToken cancellation);

    /// <summary>
    /// Scheduled runs (not re-checks) from the minute of <paramref name="since"/> on, counted per scenario,
    /// region and minute; <c>Fast</c> counts the results <paramref name="good"/> holds for. Only
    /// <paramref name="scenarios"/> when given. Minutes settled by <paramref name="now"/> are read from
    /// their rollups (<see cref="MinuteRollups"/>), rolled up first when they are not yet. With
    /// <paramref name="edges"/> given (the first minutes of the windows the caller sums; may be empty),
    /// each settled clock hour inside the span comes as one tally dated by its first minute, unless an
    /// edge falls inside it: any window from an edge then sums whole tallies, at the cost of hours, not minutes.
    /// </summary>
    Task<IReadOnlyList<ScenarioMinute>> MinutesAsync(DateTimeOffset since, DateTimeOffset now, SliCondition good, IReadOnlyCollection<string>? scenarios, CancellationToken cancellation, IReadOnlyCollection<long>? edges = null);

    /// <summary>
    /// Each check's day in each region (<see cref="CheckDay"/>), scheduled runs only: settled hours from their
    /// hour rollups, the rest of the day from the minute rollups and the results, summed by the store, so
    /// the answer is about 26 rows per scenario and region whatever the history's length.
    /// </summary>
    Task<IReadOnlyCollection<CheckDay>> DayAsync(DateTimeOffset now, CancellationToken cancellation);

    /// <summary>
    /// Availability by timeslices of whole settled clock <paramref name="hours"/> (ones <see cref="MinutesAsync"/>
    /// answered as hours): per hour, the minutes in which any of <paramref name="scenarios"/> ran, and those in
    /// which at least <paramref name="quorum"/> of the regions that ran (all of them when fewer ran) had every
    /// run succeed. Computed once per hour from the minute rollups and kept (<c>probe_slices</c>); a result
    /// written later for an hour drops that hour's slices, so they are computed again.
    /// </summary>
    Task<IReadOnlyDictionary<long, Sli>> SlicesAsync(IReadOnlyCollection<string> scenarios, int quorum, IReadOnlyCollection<long> hours, CancellationToken cancellation);

    /// <summary>The newest results first, filtered.</summary>
    Task<IReadOnlyList<SyntheticResult>> RecentAsync(ResultQuery query, CancellationToken cancellation);

    /// <summary>The newest result (re-checks included) of each of <paramref name="scenarios"/> in each of <paramref name="regions"/> that has one, in one query.</summary>
    Task<IReadOnlyList<SyntheticResult>> LatestAsync(IReadOnlyCollection<string> scenarios, IReadOnlyCollection<string> regions, CancellationToken cancellation);

    /// <summary>Deletes results that started before <paramref name="cutoff"/>; returns how many.</summary>
    Task<long> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellation);
}

/// <summary>A filter for <see cref="IResultStore.RecentAsync"/>.</summary>
internal sealed record ResultQuery(string? Scenario = null, string? Region = null, bool FailuresOnly = false, int Limit = 50, DateTimeOffset? Since = null);

/// <summary>One scenario's tally of one region's minute, or of a whole clock hour (<paramref name="Hour"/>; dated by its first minute).</summary>
internal readonly record struct ScenarioMinute(string Scenario, MinuteTally Tally, bool Hour = false);
