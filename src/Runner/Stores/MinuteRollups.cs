using Probe.Runner.Synthetics;

namespace Probe.Runner.Stores;

/// <summary>
/// Per-minute rollups of the results, kept beside them so an SLO refresh over a 30-day window reads
/// 43,200 minutes per scenario and region instead of every result (the same cost on day 30 as on
/// day 1). Each SLI condition (<see cref="SliCondition"/>, by its SQL text) has its own tallies —
/// runs, successes, good events — per scenario, region and minute, covering every minute before the
/// condition's <c>until</c> minute. A refresh rolls up the minutes that have settled (older than
/// <see cref="Settle"/>) and reads the younger ones from the results. A result written later for a
/// minute already rolled up (a spool drained after an outage, a slow region) has its minute rolled up
/// again in the same transaction that stores it, so the rollups always equal the results.
/// </summary>
internal static class MinuteRollups
{
    /// <summary>How old a minute must be before it is rolled up: results arrive within seconds, so younger minutes are read raw.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most minutes one transaction rolls up: a first refresh over a long history (a new SLO, or an
    /// upgrade) goes an hour at a time, so the writes of results wait for one hour's rollup at most.
    /// </summary>
    public const long Chunk = 60;

    /// <summary>Calls <paramref name="coverUpTo"/> (which rolls up one chunk and says where the rollups end) until they reach <paramref name="settledEnd"/>.</summary>
    public static async Task<long> CoverAsync(long settledEnd, Func<long, Task<long>> coverUpTo)
    {
        ArgumentNullException.ThrowIfNull(coverUpTo);
        long covered;
        do
        {
            covered = await coverUpTo(settledEnd).ConfigureAwait(false);
        }
        while (covered < settledEnd);
        return covered;
    }

    /// <summary>Whole minutes since the Unix epoch.</summary>
    public static long Minute(DateTimeOffset at) => (long)Math.Floor((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerMinute);

    /// <summary>The first minute not yet settled at <paramref name="now"/>: rollups cover the minutes before it.</summary>
    public static long SettledEnd(DateTimeOffset now) => Minute(now - Settle);

    /// <summary>The scenario, region and minute of each scheduled run in <paramref name="batch"/> (re-checks are not counted).</summary>
    public static IReadOnlyList<(string Scenario, string Region, long Minute)> Keys(IEnumerable<SyntheticResult> batch) =>
        batch.Where(r => !r.Recheck).Select(r => (r.Scenario, r.Region, Minute(r.StartedAt))).Distinct().ToArray();
}
