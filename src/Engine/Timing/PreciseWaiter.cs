using System.Runtime.CompilerServices;

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
    private int _interrupted;

    public PreciseWaiter(TimeProvider time, TimeSpan spinWindow)
    {
        _clock = new Timestamps(time);
        _spin = ReferenceEquals(time, TimeProvider.System) && spinWindow > TimeSpan.Zero;
        _spinTicks = _clock.FromTimeSpan(spinWindow);
        SpinWindow = spinWindow;
        _timer = time.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), _signal, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeSpan SpinWindow { get; }

    /// <summary>
    /// Returns true when the clock reaches <paramref name="dueTimestamp"/>, false as soon as
    /// <see cref="Interrupt"/> is called (or if it was called since the last wait), or throws when cancelled.
    /// </summary>
    // Compiled optimised on its first call and never recompiled: a loop that runs once per scheduled
    // start would otherwise be recompiled (on stack, then when hot) while the schedule runs.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool WaitUntil(long dueTimestamp, CancellationToken cancellation)
    {
        while (true)
        {
            if (Interlocked.Exchange(ref _interrupted, 0) == 1)
            {
                _signal.Reset();
                return false;
            }

            long remaining = dueTimestamp - _clock.Now;
            if (remaining <= 0)
            {
                return true;
            }

            if (_spin && remaining <= _spinTicks)
            {
                return SpinUntil(dueTimestamp, cancellation);
            }

            if (_spin)
            {
                // A timed wait on the event is a direct futex wait: closer to its deadline than the
                // shared timer thread, which batches timers. Only an interruption sets the event
                // (and a set left over from one is cleared here; the flag is checked again above).
                if (_signal.Wait(_clock.ToTimeSpan(remaining - _spinTicks), cancellation))
                {
                    _signal.Reset();
                }

                continue;
            }

            _signal.Reset();
            if (Volatile.Read(ref _interrupted) == 1)
            {
                continue;
            }

            _timer.Change(_clock.ToTimeSpan(remaining), Timeout.InfiniteTimeSpan);
            _signal.Wait(cancellation);
        }
    }

    /// <summary>Ends the current (or the next) <see cref="WaitUntil"/> early; any thread may call it.</summary>
    public void Interrupt()
    {
        Volatile.Write(ref _interrupted, 1);
        _signal.Set();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool SpinUntil(long dueTimestamp, CancellationToken cancellation)
    {
        var spinner = default(SpinWait);
        while (_clock.Now < dueTimestamp)
        {
            cancellation.ThrowIfCancellationRequested();
            if (Volatile.Read(ref _interrupted) == 1)
            {
                Interlocked.Exchange(ref _interrupted, 0);
                _signal.Reset();
                return false;
            }

            // -1: never escalate to Sleep(1), which would cost a whole millisecond.
            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }

    public void Dispose()
    {
        _timer.Dispose();
        _signal.Dispose();
    }
}
