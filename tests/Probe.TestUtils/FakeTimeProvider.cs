namespace Probe.TestUtils;

/// <summary>
/// A <see cref="TimeProvider"/> that moves only when told: <see cref="Advance"/> fires every timer that
/// falls due, in order, on the calling thread. Timestamps are in 100 ns ticks.
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private DateTimeOffset _now;
    private long _ticks;

    public FakeTimeProvider(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp()
    {
        lock (_lock)
        {
            return _ticks;
        }
    }

    /// <summary>How many timers are waiting (a signal that a component has armed its next wait).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count(t => t.Due is not null);
            }
        }
    }

    /// <summary>Moves time forward by <paramref name="by"/>, firing due timers at their own times.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        long target;
        lock (_lock)
        {
            target = _ticks + by.Ticks;
        }

        while (true)
        {
            FakeTimer? next;
            lock (_lock)
            {
                next = _timers.Where(t => t.Due is { } d && d <= target).OrderBy(t => t.Due).FirstOrDefault();
                long to = next?.Due ?? target;
                _now += TimeSpan.FromTicks(to - _ticks);
                _ticks = to;
                if (next is null)
                {
                    return;
                }

                next.Due = next.Period is { } p && p > 0 ? next.Due + p : null;
            }

            next.Fire();
        }
    }

    /// <summary>
    /// Moves time forward by <paramref name="by"/> at once, as a suspended process sees it: no timer fires
    /// on the way; every timer due by then fires afterwards, at the new time.
    /// </summary>
    public void Jump(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        FakeTimer[] due;
        lock (_lock)
        {
            _ticks += by.Ticks;
            _now += by;
            due = _timers.Where(t => t.Due is { } d && d <= _ticks).OrderBy(t => t.Due).ToArray();
            foreach (FakeTimer timer in due)
            {
                timer.Due = timer.Period is { } p && p > 0 ? _ticks + p : null;
            }
        }

        foreach (FakeTimer timer in due)
        {
            timer.Fire();
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FakeTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public long? Due { get; set; }

        public long? Period { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + Math.Max(0, dueTime.Ticks);
                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period.Ticks;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
