using Probe.Runner.Results;

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
/// Whole clock hours are rolled up once more from their minutes (<c>probe_hours</c>), so a 30-day
/// window reads 720 hours and a day 24, plus the minutes at its edges: a refresh costs the same
/// whatever the history's length.
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

    /// <summary>The most hours one transaction rolls up from their minutes (a store upgraded with a long history of minutes catches up a day at a time).</summary>
    public const long HourChunk = 24;

    /// <summary>
    /// Calls <paramref name="coverUpTo"/> (which rolls up one chunk and says where the minute and hour
    /// rollups end) until the minutes reach <paramref name="settledEnd"/> and the hours every whole hour of them.
    /// </summary>
    public static async Task<Cover> CoverAsync(long settledEnd, Func<long, Task<Cover>> coverUpTo)
    {
        ArgumentNullException.ThrowIfNull(coverUpTo);
        Cover covered;
        do
        {
            covered = await coverUpTo(settledEnd).ConfigureAwait(false);
        }
        while (covered.Minutes < settledEnd || covered.Hours < covered.Minutes / 60);
        return covered;
    }

    /// <summary>
    /// The hours to roll up next: from where the hour rollups end (<paramref name="hoursUntil"/>, or
    /// <paramref name="firstMinute"/>'s hour when none were made yet) up to the last whole hour below
    /// <paramref name="minutesUntil"/>, at most <see cref="HourChunk"/> of them.
    /// </summary>
    public static (long From, long To) NextHours(long? hoursUntil, long firstMinute, long minutesUntil)
    {
        long from = hoursUntil ?? Math.Min(firstMinute, minutesUntil) / 60;
        return (from, Math.Max(from, Math.Min(minutesUntil / 60, from + HourChunk)));
    }

    /// <summary>
    /// Splits the rolled-up minutes [<paramref name="from"/>, <paramref name="covered"/>) into runs of
    /// whole hours read from the hour rollups (below <paramref name="hoursCovered"/>) and runs of minutes
    /// read from the minute rollups. With <paramref name="edges"/> null every minute is its own tally; an
    /// edge (the first minute of a window the caller sums) strictly inside an hour keeps that hour in
    /// minutes, so every window sums whole tallies.
    /// </summary>
    public static Spans Split(long from, long covered, long hoursCovered, IReadOnlyCollection<long>? edges)
    {
        var hours = new List<(long, long)>();
        var minutes = new List<(long, long)>();
        long firstHour = (from + 59) / 60, endHour = Math.Min(hoursCovered, covered / 60);
        if (edges is null || firstHour >= endHour)
        {
            Add(minutes, from, covered);
            return new Spans(hours, minutes);
        }

        long[] split = edges.Where(e => e % 60 != 0).Select(e => e / 60).Where(h => h >= firstHour && h < endHour).Distinct().Order().ToArray();
        Add(minutes, from, firstHour * 60);
        long next = firstHour;
        foreach (long hour in split)
        {
            Add(hours, next, hour);
            Add(minutes, hour * 60, (hour + 1) * 60);
            next = hour + 1;
        }

        Add(hours, next, endHour);
        Add(minutes, endHour * 60, covered);
        return new Spans(hours, minutes);

        static void Add(List<(long, long)> spans, long start, long end)
        {
            if (start >= end)
            {
                return;
            }

            if (spans.Count > 0 && spans[^1].Item2 == start)
            {
                spans[^1] = (spans[^1].Item1, end);
            }
            else
            {
                spans.Add((start, end));
            }
        }
    }

    /// <summary>What identifies one SLO's timeslices: its quorum and its scenarios, in order.</summary>
    public static string SliceKey(IReadOnlyCollection<string> scenarios, int quorum) =>
        quorum.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n" + string.Join("\n", scenarios.Order(StringComparer.Ordinal));

    /// <summary><paramref name="hours"/> as runs of consecutive hours, each [from, to).</summary>
    public static IEnumerable<(long From, long To)> Runs(IEnumerable<long> hours)
    {
        long from = 0, to = 0;
        foreach (long hour in hours.Distinct().Order())
        {
            if (hour != to || to == from)
            {
                if (to > from)
                {
                    yield return (from, to);
                }

                from = hour;
            }

            to = hour + 1;
        }

        if (to > from)
        {
            yield return (from, to);
        }
    }

    /// <summary>Whole minutes since the Unix epoch.</summary>
    public static long Minute(DateTimeOffset at) => (long)Math.Floor((at.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerMinute);

    /// <summary>The first minute not yet settled at <paramref name="now"/>: rollups cover the minutes before it.</summary>
    public static long SettledEnd(DateTimeOffset now) => Minute(now - Settle);

    /// <summary>The scenario, region and hour of each of <paramref name="minutes"/> in an hour already rolled up (below <paramref name="hoursUntil"/>), once each.</summary>
    public static IEnumerable<(string Scenario, string Region, long Hour)> Hours(IEnumerable<(string Scenario, string Region, long Minute)> minutes, long? hoursUntil) =>
        minutes.Where(k => hoursUntil is { } until && k.Minute / 60 < until).Select(k => (k.Scenario, k.Region, k.Minute / 60)).Distinct();

    /// <summary>The scenario, region and minute of each scheduled run in <paramref name="batch"/> (re-checks are not counted).</summary>
    public static IReadOnlyList<(string Scenario, string Region, long Minute)> Keys(IEnumerable<SyntheticResult> batch) =>
        batch.Where(r => !r.Recheck).Select(r => (r.Scenario, r.Region, Minute(r.StartedAt))).Distinct().ToArray();
}

/// <summary>Where one SLI condition's rollups end: minutes below <see cref="Minutes"/>, hours below <see cref="Hours"/>.</summary>
internal readonly record struct Cover(long Minutes, long Hours);

/// <summary>The runs of a span read from hour rollups (in hours) and from minute rollups (in minutes), each [from, to).</summary>
internal sealed record Spans(IReadOnlyList<(long From, long To)> Hours, IReadOnlyList<(long From, long To)> Minutes);
