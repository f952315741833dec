namespace Probe.Scenarios.Http;

/// <summary>A step's timeout as a deadline on a <see cref="TimeProvider"/>'s timestamps, and the time left until it for a timer.</summary>
internal static class StepDeadline
{
    // Timers and token sources take at most uint.MaxValue − 1 ms (about 49.7 days); a timer that wakes early is armed again.
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1.0);

    /// <summary><paramref name="timeout"/> in timestamp units, kept far from overflow when added to a timestamp.</summary>
    public static long Ticks(TimeProvider time, TimeSpan timeout) => (long)Math.Min(timeout.TotalSeconds * time.TimestampFrequency, long.MaxValue / 4.0);

    /// <summary>The time left until <paramref name="deadline"/>: zero once past it, never more than a timer can wait.</summary>
    public static TimeSpan Left(TimeProvider time, long deadline)
    {
        TimeSpan left = time.GetElapsedTime(time.GetTimestamp(), deadline);
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left > LongestWait ? LongestWait : left;
    }
}
