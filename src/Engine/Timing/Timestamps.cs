namespace Probe.Engine.Timing;

/// <summary>Converts between a <see cref="TimeProvider"/>'s timestamps, nanoseconds and <see cref="TimeSpan"/>.</summary>
internal readonly struct Timestamps
{
    private readonly double _nanosecondsPerTick;
    private readonly double _ticksPerTimeSpanTick;

    public Timestamps(TimeProvider time)
    {
        Time = time;
        Frequency = time.TimestampFrequency;
        _nanosecondsPerTick = 1e9 / Frequency;
        _ticksPerTimeSpanTick = Frequency / (double)TimeSpan.TicksPerSecond;
    }

    public TimeProvider Time { get; }

    public long Frequency { get; }

    public long Now => Time.GetTimestamp();

    public long ToNanoseconds(long timestampTicks) =>
        Frequency == 1_000_000_000 ? timestampTicks : (long)(timestampTicks * _nanosecondsPerTick);

    public long FromTimeSpan(TimeSpan span) =>
        Frequency == TimeSpan.TicksPerSecond ? span.Ticks : (long)Math.Round(span.Ticks * _ticksPerTimeSpanTick);

    public TimeSpan ToTimeSpan(long timestampTicks) =>
        TimeSpan.FromTicks(Frequency == TimeSpan.TicksPerSecond ? timestampTicks : (long)(timestampTicks / _ticksPerTimeSpanTick));
}
