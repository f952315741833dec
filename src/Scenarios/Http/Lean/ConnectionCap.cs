namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// A target's <c>max_connections</c>: counts the lean client's open connections and makes a request
/// that finds no idle connection at the cap wait for one — a connection another request hands back,
/// or the room of one that closed — until its deadline. Waiters are served in arrival order.
/// </summary>
internal sealed class ConnectionCap(int max, LeanHttpClient owner)
{
    private readonly Queue<TaskCompletionSource<LeanConnection?>> _waiters = new();
    private int _open;

    /// <summary>Whether a request waits for a connection.</summary>
    public bool Waiting
    {
        get
        {
            lock (_waiters)
            {
                return _waiters.Count > 0;
            }
        }
    }

    /// <summary>
    /// Null: there is room for a new connection (now counted; <see cref="Leave"/> when it closes or
    /// cannot be opened). Otherwise a connection handed back by another request, to use at once.
    /// Past <paramref name="deadline"/> this throws <see cref="OperationCanceledException"/> (the step's timeout).
    /// </summary>
    public ValueTask<LeanConnection?> EnterAsync(long deadline, CancellationToken cancellation)
    {
        TaskCompletionSource<LeanConnection?> waiter;
        lock (_waiters)
        {
            if (_open < max)
            {
                _open++;
                return ValueTask.FromResult<LeanConnection?>(null);
            }

            waiter = new TaskCompletionSource<LeanConnection?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Enqueue(waiter);
        }

        return WaitAsync(waiter, deadline, cancellation);
    }

    /// <summary>Gives an idle connection to the first waiting request; false when none waits.</summary>
    public bool Hand(LeanConnection connection)
    {
        lock (_waiters)
        {
            while (_waiters.TryDequeue(out TaskCompletionSource<LeanConnection?>? waiter))
            {
                if (waiter.TrySetResult(connection))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>A connection closed (or was never opened): its room goes to the first waiting request, or is freed.</summary>
    public void Leave()
    {
        lock (_waiters)
        {
            while (_waiters.TryDequeue(out TaskCompletionSource<LeanConnection?>? waiter))
            {
                if (waiter.TrySetResult(null))
                {
                    return;
                }
            }

            _open--;
        }
    }

    private async ValueTask<LeanConnection?> WaitAsync(TaskCompletionSource<LeanConnection?> waiter, long deadline, CancellationToken cancellation)
    {
        try
        {
            return await waiter.Task.WaitAsync(StepDeadline.Left(owner.Time, deadline), owner.Time, cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            if (!waiter.TrySetCanceled())
            {
                // Served just as the wait ended: pass on what it was given.
                if (waiter.Task.Result is { } handed)
                {
                    owner.Return(handed);
                }
                else
                {
                    Leave();
                }
            }

            throw new OperationCanceledException($"no connection came free within the step's timeout (max_connections {max})", e, cancellation);
        }
    }
}
