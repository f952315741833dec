namespace Probe.TestUtils;

/// <summary>
/// The served fake clock (Microsoft.Extensions.TimeProvider.Testing: time moves only when told, and
/// <c>Advance</c> fires every timer that falls due at its own time, in order, on the calling thread),
/// with what Probe's tests add: a start in Probe's era, <see cref="PendingTimers"/> (a component has
/// armed its next wait) and <see cref="Jump"/> (a suspended process).
/// </summary>
public sealed class FakeTimeProvider : Microsoft.Extensions.Time.Testing.FakeTimeProvider
{
    private readonly Lock _lock = new();
    private readonly HashSet<CountedTimer> _armed = [];
    private DateTimeOffset? _pinned;

    public FakeTimeProvider(DateTimeOffset? start = null) => SetUtcNow(start ?? new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero));

    /// <summary>How many timers are armed (a signal that a component has armed its next wait).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_lock)
            {
                return _armed.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow() => _pinned ?? base.GetUtcNow();

    public override long GetTimestamp() => _pinned is { } at ? at.Ticks : base.GetTimestamp();

    /// <summary>
    /// Moves time forward by <paramref name="by"/> at once, as a suspended process sees it: every timer due
    /// by then fires, and each reads the new time.
    /// </summary>
    public void Jump(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        _pinned = GetUtcNow() + by;
        try
        {
            Advance(by);
        }
        finally
        {
            _pinned = null;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var counted = new CountedTimer(this);
        counted.Inner = base.CreateTimer(
            s =>
            {
                counted.Fired();
                callback(s);
            },
            state,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan);
        counted.Change(dueTime, period);
        return counted;
    }

    /// <summary>The served timer, counted while armed.</summary>
    private sealed class CountedTimer(FakeTimeProvider owner) : ITimer
    {
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    owner._armed.Remove(this);
                }
                else
                {
                    owner._armed.Add(this);
                }
            }

            return Inner.Change(dueTime, period);
        }

        /// <summary>A one-shot timer is no longer armed once it has fired.</summary>
        public void Fired()
        {
            lock (owner._lock)
            {
                if (!_periodic)
                {
                    owner._armed.Remove(this);
                }
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._armed.Remove(this);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
