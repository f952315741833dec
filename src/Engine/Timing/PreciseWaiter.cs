namespace Probe.Engine.Timing;

/// <summary>
/// Blocks a dedicated scheduler thread until a timestamp. On a test clock it waits for a
/// <see cref="TimeProvider"/> timer. On the system clock it sleeps in a timed wait for the coarse
/// part and spins (yielding) for the last <see cref="SpinWindow"/>, because sleeps end up to a
/// millisecond late and the open model must start iterations within microseconds of their tick.
/// </summary>
internal sealed class PreciseWaiter : IDisposable
{
    private readonly Timestamps _clock;
    private readonly ManualResetEventSlim _signal = new(false);
    private readonly ITimer _timer;
    private readonly bool _spin;
    private readonly long _spinTicks;

    public PreciseWaiter(TimeProvider time, TimeSpan spinWindow)
    {
        _clock = new Timestamps(time);
        _spin = ReferenceEquals(time, TimeProvider.System) && spinWindow > TimeSpan.Zero;
        _spinTicks = _clock.FromTimeSpan(spinWindow);
        SpinWindow = spinWindow;
        _timer = time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan SpinWindow { get; }

    /// <summary>Returns when the clock reaches <paramref name="dueTimestamp"/>, or throws when cancelled.</summary>
    public void WaitUntil(long dueTimestamp, CancellationToken cancellation)
    {
        while (true)
        {
            long remaining = dueTimestamp - _clock.Now;
            if (remaining <= 0)
            {
                return;
            }

            if (_spin && remaining <= _spinTicks)
            {
                SpinUntil(dueTimestamp, cancellation);
                return;
            }

            if (_spin)
            {
                // A timed wait on the event is a direct futex wait: closer to its deadline than the
                // shared timer thread, which batches timers. Only cancellation sets the event.
                _signal.Wait(_clock.ToTimeSpan(remaining - _spinTicks), cancellation);
                continue;
            }

            _signal.Reset();
            _timer.Change(_clock.ToTimeSpan(remaining), Timeout.InfiniteTimeSpan);
            _signal.Wait(cancellation);
        }
    }

    private void SpinUntil(long dueTimestamp, CancellationToken cancellation)
    {
        var spinner = default(SpinWait);
        while (_clock.Now < dueTimestamp)
        {
            cancellation.ThrowIfCancellationRequested();

            // -1: never escalate to Sleep(1), which would cost a whole millisecond.
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        _signal.Dispose();
    }
}
