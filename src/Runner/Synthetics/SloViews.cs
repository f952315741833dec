using Probe.Engine.Timing;
using Probe.Exporter.Slo;
using Probe.Runner.Stores;
using Probe.Scenarios.Suite;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// The cross-region view, computed from the (shared) store so any one runner can export it: each
/// SLO's SLI over 5m, 1h, 1d and its window, per region and across regions (availability SLOs across
/// regions also over the burn-rate windows 30m, 2h, 6h and 3d, shorter than their own; "all": a minute is good
/// when at least N of the M regions that ran in it had every run succeed; latency, ttft and goodput
/// SLOs count occurrences), the error budget left, and each check's state per region with the N-of-M quorum.
/// </summary>
internal sealed class SloViews
{
    private static readonly TimeSpan[] ShortWindows = [TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(1)];

    /// <summary>
    /// The burn-rate alerts' windows: an availability SLO's SLI across regions is exported over each of them
    /// too, since with several regions the rules <c>probe rules</c> writes read it (one region's trouble must not page).
    /// </summary>
    private static readonly TimeSpan[] BurnWindows = Probe.Exporter.Rules.BurnRateAlert.Windows.Select(DurationText.Parse).ToArray();

    private readonly IResultStore _store;
    private readonly SyntheticsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly int? _quorum;

    public SloViews(IResultStore store, SyntheticsMetrics metrics, TimeProvider time, int? quorum)
    {
        _store = store;
        _metrics = metrics;
        _time = time;
        _quorum = quorum;
    }

    /// <summary>The N of N-of-M: as configured, else a majority of the regions seen.</summary>
    public int QuorumOf(int regions) => _quorum ?? ((regions / 2) + 1);

    public async Task<StatusSnapshot> RefreshAsync(SuiteDefinition suite, IReadOnlyList<string> ownRegions, CancellationToken cancellation)
    {
        DateTimeOffset now = _time.GetUtcNow();
        // Each check's day per region, summed by the store: 24 clock hours and the last 60 minutes exactly.
        IReadOnlyCollection<CheckDay> day = await _store.DayAsync(now, cancellation);
        string[] regions = ownRegions.Concat(day.Select(d => d.Region)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        int quorum = QuorumOf(regions.Length);

        var slos = new List<SloStatus>();
        foreach (SloSpec slo in suite.Slos)
        {
            slos.Add(await SloAsync(suite.Name, slo, now, quorum, cancellation));
        }

        // Each check's day and last result per region, grouped once and read in one query (not one per check and region).
        ScenarioSpec[] scheduled = suite.Scenarios.Where(s => s.Schedule is not null).ToArray();
        Dictionary<(string, string), CheckDay> days = day.ToDictionary(d => (d.Scenario, d.Region));
        Dictionary<(string, string), SyntheticResult> latest = (await _store.LatestAsync(scheduled.Select(s => s.Name).ToArray(), regions, cancellation))
            .ToDictionary(r => (r.Scenario, r.Region));
        ScenarioStatus[] checks = scheduled.Select(scenario => Check(suite.Name, scenario, regions, days, latest, quorum)).ToArray();

        IReadOnlyList<SyntheticResult> failures = await _store.RecentAsync(new ResultQuery(FailuresOnly: true, Limit: 20, Since: now - TimeSpan.FromDays(1)), cancellation);
        return new StatusSnapshot(now, suite.Name, _store.Description, regions, quorum, checks, failures, slos, null);
    }

    private async Task<SloStatus> SloAsync(string suite, SloSpec slo, DateTimeOffset now, int quorum, CancellationToken cancellation)
    {
        bool latency = slo.CountsOccurrences;
        long nowMinute = MinuteRollups.Minute(now);
        IReadOnlyList<ScenarioMinute> minutes = await _store.MinutesAsync(now - slo.Window, now, SliCondition.For(slo), slo.Scenarios, cancellation, WindowEdges(now, Windows(slo)));
        ScenarioMinute[] mine = minutes.Where(m => slo.Scenarios.Contains(m.Scenario)).ToArray();
        MinuteTally[] tallies = mine.Select(m => m.Tally).ToArray();
        string[] regions = tallies.Select(t => t.Region).Distinct(StringComparer.Ordinal).ToArray();

        // Timeslices judge each minute across regions: the minutes at the windows' edges here, each settled hour's
        // good and judged minutes from the store (kept there once computed).
        MinuteTally[] edgeMinutes = mine.Where(m => !m.Hour).Select(m => m.Tally).ToArray();
        IReadOnlyDictionary<long, Sli> hourSlices = latency
            ? new Dictionary<long, Sli>()
            : await _store.SlicesAsync(slo.Scenarios, quorum, mine.Where(m => m.Hour).Select(m => m.Tally.Minute / 60).Distinct().ToArray(), cancellation);

        Sli Across(long from)
        {
            if (latency)
            {
                return SloMath.Latency(tallies.Where(t => t.Minute > from));
            }

            Sli sli = SloMath.Timeslices(edgeMinutes.Where(t => t.Minute > from), quorum);
            foreach ((long hour, Sli slices) in hourSlices.Where(h => h.Key * 60 > from))
            {
                sli = new Sli(sli.Good + slices.Good, sli.Valid + slices.Valid);
            }

            return sli;
        }

        Sli In(IEnumerable<MinuteTally> set, string region) => latency ? SloMath.Latency(set, region) : SloMath.Availability(set, region);

        foreach (TimeSpan window in Windows(slo))
        {
            long from = nowMinute - (long)window.TotalMinutes;
            MinuteTally[] inWindow = tallies.Where(t => t.Minute > from).ToArray();
            string label = WindowLabel(window);
            _metrics.SliRatio.WithLabels(suite, slo.Name, label, "all").Set(Across(from).Ratio);
            if (!ShortWindows.Contains(window) && window != slo.Window)
            {
                continue; // a burn-rate window: across regions only
            }

            foreach (string region in regions)
            {
                _metrics.SliRatio.WithLabels(suite, slo.Name, label, region).Set(In(inWindow, region).Ratio);
            }
        }

        Sli all = Across(long.MinValue);
        double remaining = SloMath.ErrorBudgetRemaining(all, slo.Objective);
        _metrics.BudgetRemaining.WithLabels(suite, slo.Name, "all").Set(remaining);
        var byRegion = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string region in regions)
        {
            Sli sli = In(tallies, region);
            byRegion[region] = sli.Ratio;
            _metrics.BudgetRemaining.WithLabels(suite, slo.Name, region).Set(SloMath.ErrorBudgetRemaining(sli, slo.Objective));
        }

        return new SloStatus(slo.Name, slo.Kind, slo.Objective, slo.Window, all.Ratio, remaining, byRegion);
    }

    private ScenarioStatus Check(string suite, ScenarioSpec scenario, string[] regions, Dictionary<(string, string), CheckDay> days, Dictionary<(string, string), SyntheticResult> latest, int quorum)
    {
        var states = new List<RegionStatus>();
        foreach (string region in regions)
        {
            CheckDay? day = days.GetValueOrDefault((scenario.Name, region));
            SyntheticResult? last = latest.GetValueOrDefault((scenario.Name, region));
            if (day is null && last is null)
            {
                continue;
            }

            states.Add(day is null
                ? new RegionStatus(region, last, null, null, 0) { History = new double?[CheckDay.Hours] }
                : new RegionStatus(region, last, Ratio(day.HourOk, day.HourRuns), Ratio(day.DayOk, day.DayRuns), day.DayRuns)
                {
                    History = Enumerable.Range(0, CheckDay.Hours).Select(h => Ratio(day.Ok[h], day.Runs[h])).ToArray(),
                });
        }

        int succeeding = states.Count(s => s.Last?.Ok == true);
        bool up = states.Count > 0 && succeeding >= Math.Min(quorum, states.Count);
        _metrics.RegionsSucceeding.WithLabels(suite, scenario.Name).Set(succeeding);
        _metrics.QuorumUp.WithLabels(suite, scenario.Name).Set(up ? 1 : 0);
        string schedule = scenario.Schedule!.Every is { } every ? $"every {DurationText.Format(every)}" : $"cron {scenario.Schedule.Cron}";
        return new ScenarioStatus(scenario.Name, schedule, states, succeeding, up);
    }

    /// <summary>
    /// The first minutes of the windows a refresh of <paramref name="slo"/> sums (5m, 1h, 1d and its own):
    /// settled hours come as one tally each, split only where a window starts inside one.
    /// </summary>
    public static long[] WindowEdges(SloSpec slo, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(slo);
        return WindowEdges(now, Windows(slo));
    }

    private static long[] WindowEdges(DateTimeOffset now, TimeSpan[] windows)
    {
        long nowMinute = MinuteRollups.Minute(now);
        return windows.Select(w => nowMinute - (long)w.TotalMinutes + 1).ToArray();
    }

    private static TimeSpan[] Windows(SloSpec slo) => (slo.CountsOccurrences ? ShortWindows : ShortWindows.Union(BurnWindows))
        .Where(w => w < slo.Window).Order().Append(slo.Window).ToArray();

    /// <summary>A window as Prometheus users write it: 5m, 1h, 1d, 30d.</summary>
    public static string WindowLabel(TimeSpan window) => Probe.Exporter.Rules.BurnRateAlert.WindowLabel(window);

    private static double? Ratio(long ok, long runs) => runs == 0 ? null : (double)ok / runs;
}
