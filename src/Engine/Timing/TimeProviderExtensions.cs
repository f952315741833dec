namespace Probe.Engine.Timing;

/// <summary>Timestamp arithmetic in nanoseconds, the unit of Probe's histograms.</summary>
public static class TimeProviderExtensions
{
    /// <summary>Converts a difference of <see cref="TimeProvider.GetTimestamp"/> values to nanoseconds.</summary>
    public static long ToNanoseconds(this TimeProvider time, long timestampTicks)
    {
        ArgumentNullException.ThrowIfNull(time);
        long frequency = time.TimestampFrequency;
        return frequency == 1_000_000_000 ? timestampTicks : (long)(timestampTicks * (1e9 / frequency));
    }
}
