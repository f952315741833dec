namespace Probe.Runner.Stores;

/// <summary>
/// One check's day in one region, as the status page shows it: runs and successes in each of the 24
/// clock hours up to now (the current one so far, oldest first), and in the last 60 minutes exactly.
/// The store sums them (<see cref="IResultStore.DayAsync"/>), so a refresh reads about 26 rows per check
/// and region whatever the uptime, where reading the minutes would read up to 120.
/// </summary>
internal sealed class CheckDay
{
    /// <summary>The clock hours of the day.</summary>
    public const int Hours = 24;

    public CheckDay(string scenario, string region)
    {
        Scenario = scenario;
        Region = region;
    }

    public string Scenario { get; }

    public string Region { get; }

    /// <summary>Runs in each clock hour, oldest first; the last is the current hour so far.</summary>
    public long[] Runs { get; } = new long[Hours];

    /// <summary>Successful runs in each clock hour, as <see cref="Runs"/>.</summary>
    public long[] Ok { get; } = new long[Hours];

    /// <summary>Runs in the last 60 minutes (the current one included).</summary>
    public long HourRuns { get; set; }

    /// <summary>Successful runs in the last 60 minutes.</summary>
    public long HourOk { get; set; }

    public long DayRuns => Runs.Sum();

    public long DayOk => Ok.Sum();

    /// <summary>The first clock hour of the day that ends with <paramref name="now"/>'s hour.</summary>
    public static long FirstHour(DateTimeOffset now) => (MinuteRollups.Minute(now) / 60) - Hours + 1;

    /// <summary>The first minute of the last 60 up to <paramref name="now"/>'s.</summary>
    public static long LastHourFrom(DateTimeOffset now) => MinuteRollups.Minute(now) - 59;
}

/// <summary>What one row of a store's day query adds to: the hour strip, the last 60 minutes, or both.</summary>
internal enum DayPart
{
    Strip = 0,
    LastHour = 1,
    Both = 2,
}

/// <summary>Gathers a store's day rows into one <see cref="CheckDay"/> per scenario and region.</summary>
internal sealed class CheckDays
{
    private readonly Dictionary<(string, string), CheckDay> _days = [];
    private readonly long _firstHour;

    public CheckDays(DateTimeOffset now) => _firstHour = CheckDay.FirstHour(now);

    public IReadOnlyCollection<CheckDay> All => _days.Values;

    /// <summary>Adds one row: <paramref name="runs"/> and <paramref name="ok"/> of <paramref name="hour"/> (ignored for <see cref="DayPart.LastHour"/>) to <paramref name="part"/>.</summary>
    public void Add(string scenario, string region, long hour, DayPart part, long runs, long ok)
    {
        if (!_days.TryGetValue((scenario, region), out CheckDay? day))
        {
            day = new CheckDay(scenario, region);
            _days[(scenario, region)] = day;
        }

        long slot = hour - _firstHour;
        if (part != DayPart.LastHour && slot is >= 0 and < CheckDay.Hours)
        {
            day.Runs[slot] += runs;
            day.Ok[slot] += ok;
        }

        if (part != DayPart.Strip)
        {
            day.HourRuns += runs;
            day.HourOk += ok;
        }
    }
}
