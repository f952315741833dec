namespace Probe.Engine.Timing;

/// <summary>
/// Blocks a dedicated scheduler thread until a timestamp. It sleeps on a <see cref="TimeProvider"/>
/// timer for the coarse part and, on the system clock only, spins the last
/// <see cref="SpinWindow"/> with yields, because system timers fire about a millisecond late and the
/// open model must start iterations within microseconds of their tick.
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

            long sleep = _spin ? remaining - _spinTicks : remaining;
            _signal.Reset();
            _timer.Change(_clock.ToTimeSpan(Math.Max(1, sleep)), Timeout.InfiniteTimeSpan);
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
