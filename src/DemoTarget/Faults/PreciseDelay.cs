namespace Probe.DemoTarget.Faults;

/// <summary>
/// Waits at least the given time by the precise clock. Timers are armed against a coarse clock that
/// can lag the precise one by a few milliseconds, so a plain 40 ms delay sometimes ends after 36 ms;
/// an injected delay must never be shorter than what the target was told, or measurements of it
/// would look wrong. So: wait, check the precise clock, wait again for what is left.
/// </summary>
internal static class PreciseDelay
{
    public static async Task WaitAsync(TimeSpan duration, TimeProvider time, CancellationToken cancellation)
    {
        long start = time.GetTimestamp();
        for (TimeSpan left = duration; left > TimeSpan.Zero; left = duration - time.GetElapsedTime(start))
        {
            await Task.Delay(left, time, cancellation);
        }
    }

    /// <summary>Waits until <paramref name="offset"/> after <paramref name="start"/> (a timestamp): a series of such waits does not add up each one's overshoot.</summary>
    public static async Task WaitUntilAsync(long start, TimeSpan offset, TimeProvider time, CancellationToken cancellation)
    {
        for (TimeSpan left = offset - time.GetElapsedTime(start); left > TimeSpan.Zero; left = offset - time.GetElapsedTime(start))
        {
            await Task.Delay(left, time, cancellation);
        }
    }
}
