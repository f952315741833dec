namespace Probe.Engine.Timing;

/// <summary>Timestamp arithmetic in nanoseconds, the unit of Probe's histograms, and waits that never end early.</summary>
public static class TimeProviderExtensions
{
    /// <summary>Converts a difference of <see cref="TimeProvider.GetTimestamp"/> values to nanoseconds.</summary>
    public static long ToNanoseconds(this TimeProvider time, long timestampTicks)
    {
        ArgumentNullException.ThrowIfNull(time);
        long frequency = time.TimestampFrequency;
        return frequency == 1_000_000_000 ? timestampTicks : (long)(timestampTicks * (1e9 / frequency));
    }

    /// <summary>
    /// Waits at least <paramref name="duration"/> by the clock's timestamps. Timers are armed against a
    /// coarse clock (on Linux it moves in steps of up to 4 ms), so a plain <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>
    /// can end a few milliseconds early; a think time, an injected delay or a simulated latency shorter
    /// than told would make every figure measured around it wrong. So: wait, read the clock, wait for
    /// what is left. Each wait is rounded up to whole milliseconds, the timers' unit (a shorter one
    /// would be no wait at all, and the loop would spin).
    /// </summary>
    public static Task DelayAtLeastAsync(this TimeProvider time, TimeSpan duration, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.DelayUntilAsync(time.GetTimestamp(), duration, cancellation);
    }

    /// <summary>
    /// Waits until at least <paramref name="offset"/> after <paramref name="start"/> (a timestamp), as
    /// <see cref="DelayAtLeastAsync"/> does: a series of such waits from one start (a paced stream) does
    /// not add up each one's overshoot.
    /// </summary>
    public static async Task DelayUntilAsync(this TimeProvider time, long start, TimeSpan offset, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(time);
        for (TimeSpan left = offset - time.GetElapsedTime(start); left > TimeSpan.Zero; left = offset - time.GetElapsedTime(start))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Ceiling(left.TotalMilliseconds)), time, cancellation).ConfigureAwait(false);
        }
    }
}
