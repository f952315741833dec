namespace Probe.DemoTarget.Faults;

/// <summary>
/// Paced waits by the precise clock (a single wait of at least a given time is
/// <see cref="Probe.Engine.Timing.TimeProviderExtensions.DelayAtLeastAsync"/>): timers are armed against a
/// coarse clock and can end a few milliseconds early, and a stream's pace must never run ahead of what
/// the target was told.
/// </summary>
internal static class PreciseDelay
{
    /// <summary>Waits until <paramref name="offset"/> after <paramref name="start"/> (a timestamp): a series of such waits does not add up each one's overshoot.</summary>
    public static async Task WaitUntilAsync(long start, TimeSpan offset, TimeProvider time, CancellationToken cancellation)
    {
        for (TimeSpan left = offset - time.GetElapsedTime(start); left > TimeSpan.Zero; left = offset - time.GetElapsedTime(start))
        {
            await Task.Delay(left, time, cancellation);
        }
    }
}
