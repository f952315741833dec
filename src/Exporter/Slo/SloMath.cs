namespace Probe.Exporter.Slo;

/// <summary>One check result as the SLO math sees it.</summary>
/// <param name="At">When it ran.</param>
/// <param name="Region">Where from.</param>
/// <param name="Ok">Whether it succeeded.</param>
/// <param name="Latency">How long it took.</param>
public readonly record struct CheckRecord(DateTimeOffset At, string Region, bool Ok, TimeSpan Latency);

/// <summary>An SLI: good events over valid events; 1 when there were none (no evidence of failure).</summary>
public readonly record struct Sli(long Good, long Valid)
{
    public double Ratio => Valid == 0 ? 1 : (double)Good / Valid;

    public long Bad => Valid - Good;
}

/// <summary>
/// SLIs, error budgets and burn rates. Two ways to count: occurrences (every check run is an event)
/// and timeslices (a minute is good when at least N of the M regions that ran in it succeeded, the
/// method for multi-region synthetics).
/// </summary>
public static class SloMath
{
    /// <summary>Availability by occurrences: successful runs over all runs, optionally for one region.</summary>
    public static Sli Availability(IEnumerable<CheckRecord> records, string? region = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        long good = 0, valid = 0;
        foreach (CheckRecord r in records)
        {
            if (region is null || r.Region == region)
            {
                valid++;
                good += r.Ok ? 1 : 0;
            }
        }

        return new Sli(good, valid);
    }

    /// <summary>Latency by occurrences: successful runs faster than <paramref name="threshold"/> over all runs.</summary>
    public static Sli Latency(IEnumerable<CheckRecord> records, TimeSpan threshold)
    {
        ArgumentNullException.ThrowIfNull(records);
        long good = 0, valid = 0;
        foreach (CheckRecord r in records)
        {
            valid++;
            good += r.Ok && r.Latency < threshold ? 1 : 0;
        }

        return new Sli(good, valid);
    }

    /// <summary>
    /// Availability by timeslices: each minute with results is good when, of the regions that ran in it,
    /// at least <paramref name="quorum"/> had every run succeed (all of them when fewer regions ran).
    /// </summary>
    public static Sli Timeslices(IEnumerable<CheckRecord> records, int quorum, TimeSpan? slice = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfLessThan(quorum, 1);
        long sliceTicks = (slice ?? TimeSpan.FromMinutes(1)).Ticks;
        var minutes = new Dictionary<long, Dictionary<string, bool>>();
        foreach (CheckRecord r in records)
        {
            long key = r.At.UtcTicks / sliceTicks;
            if (!minutes.TryGetValue(key, out Dictionary<string, bool>? regions))
            {
                minutes[key] = regions = new Dictionary<string, bool>(StringComparer.Ordinal);
            }

            regions[r.Region] = regions.TryGetValue(r.Region, out bool sofar) ? sofar && r.Ok : r.Ok;
        }

        long good = minutes.Values.Count(regions => regions.Values.Count(ok => ok) >= Math.Min(quorum, regions.Count));
        return new Sli(good, minutes.Count);
    }

    /// <summary>Availability by occurrences from per-minute tallies, optionally for one region.</summary>
    public static Sli Availability(IEnumerable<MinuteTally> tallies, string? region = null) => Occurrences(tallies, region, static t => t.Ok);

    /// <summary>Latency by occurrences from per-minute tallies (runs that succeeded under the threshold over all runs), optionally for one region.</summary>
    public static Sli Latency(IEnumerable<MinuteTally> tallies, string? region = null) => Occurrences(tallies, region, static t => t.Fast);

    /// <summary>
    /// Availability by timeslices from per-minute tallies: a minute is good when, of the regions that
    /// ran in it, at least <paramref name="quorum"/> (all of them when fewer ran) had every run succeed.
    /// </summary>
    public static Sli Timeslices(IEnumerable<MinuteTally> tallies, int quorum)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        ArgumentOutOfRangeException.ThrowIfLessThan(quorum, 1);
        var minutes = new Dictionary<long, (int Regions, int Good)>();
        foreach (var group in tallies.GroupBy(t => (t.Minute, t.Region)))
        {
            bool ok = group.All(t => t.AllOk);
            minutes.TryGetValue(group.Key.Minute, out var m);
            minutes[group.Key.Minute] = (m.Regions + 1, m.Good + (ok ? 1 : 0));
        }

        long good = minutes.Values.Count(m => m.Good >= Math.Min(quorum, m.Regions));
        return new Sli(good, minutes.Count);
    }

    /// <summary>How fast the budget burns: the bad share over the allowed bad share. 1 spends exactly the budget over the window.</summary>
    public static double BurnRate(Sli sli, double objective)
    {
        ValidateObjective(objective);
        return sli.Valid == 0 ? 0 : (1 - sli.Ratio) / (1 - objective);
    }

    /// <summary>
    /// The share of the window's error budget left, given the SLI over the whole window so far:
    /// 1 untouched, 0 spent, below 0 overspent.
    /// </summary>
    public static double ErrorBudgetRemaining(Sli sli, double objective)
    {
        ValidateObjective(objective);
        if (sli.Valid == 0)
        {
            return 1;
        }

        double allowedBad = (1 - objective) * sli.Valid;
        return 1 - (sli.Bad / allowedBad);
    }

    /// <summary>The burn rate over each window that ends at <paramref name="now"/> (5m, 30m, 1h, 2h, 6h, 1d, 3d by default).</summary>
    public static IReadOnlyDictionary<TimeSpan, double> BurnRates(IReadOnlyList<CheckRecord> records, double objective, DateTimeOffset now, IEnumerable<TimeSpan>? windows = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        windows ??= [TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(6), TimeSpan.FromDays(1), TimeSpan.FromDays(3)];
        return windows.ToDictionary(w => w, w => BurnRate(Availability(records.Where(r => r.At > now - w && r.At <= now)), objective));
    }

    private static Sli Occurrences(IEnumerable<MinuteTally> tallies, string? region, Func<MinuteTally, long> good)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        long goodRuns = 0, valid = 0;
        foreach (MinuteTally t in tallies.Where(t => region is null || t.Region == region))
        {
            valid += t.Runs;
            goodRuns += good(t);
        }

        return new Sli(goodRuns, valid);
    }

    private static void ValidateObjective(double objective)
    {
        if (objective is <= 0 or >= 1 || double.IsNaN(objective))
        {
            throw new ArgumentOutOfRangeException(nameof(objective), objective, "An objective is a share between 0 and 1, such as 0.999.");
        }
    }
}
