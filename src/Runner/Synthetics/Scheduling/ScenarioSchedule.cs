using Probe.Scenarios.Schedules;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Synthetics.Scheduling;

/// <summary>
/// When a check is due, as a pure function of time: <c>every</c> periods are aligned to the Unix epoch
/// (so runners in every region tick together and their minutes line up), cron times come from the
/// expression in UTC. Jitter is added by the scheduler, not here.
/// </summary>
internal sealed class ScenarioSchedule
{
    private readonly TimeSpan? _every;
    private readonly CronExpression? _cron;

    private ScenarioSchedule(TimeSpan? every, CronExpression? cron, ScheduleSpec spec)
    {
        _every = every;
        _cron = cron;
        Spec = spec;
    }

    public ScheduleSpec Spec { get; }

    /// <summary>
    /// The first due time of a check scheduled at <paramref name="now"/>: a periodic check runs at once,
    /// unless its first aligned time is less than half a period away (the start-up run would collide
    /// with it and be skipped as an overlap, or make two runs in a row); a cron check waits for its time.
    /// </summary>
    public DateTimeOffset FirstDue(DateTimeOffset now)
    {
        DateTimeOffset next = NextAfter(now);
        return _every is { } period && next - now >= period / 2 ? now : next;
    }

    public static ScenarioSchedule From(ScheduleSpec spec) =>
        new(spec.Every, spec.Cron is null ? null : CronExpression.Parse(spec.Cron), spec);

    /// <summary>The first due time strictly after <paramref name="t"/>; <see cref="DateTimeOffset.MaxValue"/> when there is none.</summary>
    public DateTimeOffset NextAfter(DateTimeOffset t)
    {
        if (_every is { } period)
        {
            long since = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            long k = (since / period.Ticks) + 1;
            return new DateTimeOffset(DateTimeOffset.UnixEpoch.UtcTicks + (k * period.Ticks), TimeSpan.Zero);
        }

        return _cron!.Next(t) ?? DateTimeOffset.MaxValue;
    }

    /// <summary>How many due times fall in (<paramref name="after"/>, <paramref name="until"/>]: runs a pause skipped.</summary>
    public long CountBetween(DateTimeOffset after, DateTimeOffset until)
    {
        if (until <= after)
        {
            return 0;
        }

        if (_every is { } period)
        {
            long Index(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / period.Ticks;
            return Index(until) - Index(after);
        }

        long count = 0;
        for (DateTimeOffset t = NextAfter(after); t <= until && count < 1_000_000; t = NextAfter(t))
        {
            count++;
        }

        return count;
    }
}
