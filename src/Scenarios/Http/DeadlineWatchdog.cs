namespace Probe.Scenarios.Http;

/// <summary>
/// One timer for the step deadlines of a whole client: it sleeps until the earliest deadline it was
/// told of, then lets the client abort whatever is past due and sleeps until the next. Deadlines
/// mostly come in rising order, so telling it of one seldom touches the timer — a request makes no
/// timer and no token source of its own.
/// </summary>
internal sealed class DeadlineWatchdog : IDisposable
{
    private readonly TimeProvider _time;
    private readonly object _gate;
    private readonly Func<long, long> _abortOverdue;
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;
    private bool _disposed;

    /// <param name="time">The clock of the deadlines.</param>
    /// <param name="gate">The client's lock, held while <paramref name="abortOverdue"/> runs and while the timer is armed.</param>
    /// <param name="abortOverdue">Given the time now: aborts everything past its deadline and returns the next deadline (<see cref="long.MaxValue"/> for none).</param>
    public DeadlineWatchdog(TimeProvider time, object gate, Func<long, long> abortOverdue)
    {
        _time = time;
        _gate = gate;
        _abortOverdue = abortOverdue;
        _timer = time.CreateTimer(static state => ((DeadlineWatchdog)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Makes sure the watchdog wakes by <paramref name="deadline"/>. Call it after what the deadline
    /// guards is visible to the abort callback: a pass that missed it has disarmed, and this arms it again.
    /// </summary>
    public void Watch(long deadline)
    {
        if (deadline >= Interlocked.Read(ref _armedFor))
        {
            return;
        }

        lock (_gate)
        {
            if (deadline < _armedFor && !_disposed)
            {
                _armedFor = deadline;
                _timer.Change(StepDeadline.Left(_time, deadline), Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void Fire()
    {
        lock (_gate)
        {
            Interlocked.Exchange(ref _armedFor, long.MaxValue); // a full fence: what starts now is either seen below or arms the timer itself
            long next = _abortOverdue(_time.GetTimestamp());
            if (next != long.MaxValue && !_disposed)
            {
                _armedFor = next;
                _timer.Change(StepDeadline.Left(_time, next), Timeout.InfiniteTimeSpan);
            }
        }
    }
}
