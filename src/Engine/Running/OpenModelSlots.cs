namespace Probe.Engine.Running;

/// <summary>
/// The open model's concurrency bound: at most <c>maxInFlight</c> iterations run; due iterations past
/// that wait in a bounded queue (latency still counts from their intended start); past the queue they
/// are dropped and counted, never silently delayed.
/// </summary>
internal sealed class OpenModelSlots
{
    private readonly Lock _lock = new();
    private readonly ScenarioRuntime _runtime;
    private readonly int _maxInFlight;
    private readonly long[] _queue;
    private readonly Stack<OpenIteration> _idle = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _created;
    private int _inFlight;
    private int _head;
    private int _queued;
    private bool _dispatchDone;

    public OpenModelSlots(ScenarioRuntime runtime, int maxInFlight, int maxQueued)
    {
        _runtime = runtime;
        _maxInFlight = maxInFlight;
        _queue = new long[maxQueued];
    }

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Queued => Volatile.Read(ref _queued);

    /// <summary>Completes when dispatching is over and no iteration runs or waits.</summary>
    public Task Drained => _drained.Task;

    /// <summary>Starts, queues or drops the iteration intended at <paramref name="intended"/>.</summary>
    public void Offer(long intended)
    {
        OpenIteration? slot;
        lock (_lock)
        {
            if (_inFlight >= _maxInFlight)
            {
                if (_queued < _queue.Length)
                {
                    _queue[(_head + _queued) % _queue.Length] = intended;
                    _queued++;
                }
                else if (_runtime.Counts(intended))
                {
                    _runtime.Stats.CountDropped();
                }

                return;
            }

            _inFlight++;
            slot = _idle.Count > 0 ? _idle.Pop() : new OpenIteration(this, _runtime, _created++);
        }

        // Until the scenario's code has run once, its first call may compile and connect for
        // milliseconds: do that on the thread pool, not on the scheduler thread.
        if (_runtime.Warm)
        {
            slot.StartInline(intended);
        }
        else
        {
            slot.Start(intended, intended);
        }
    }

    /// <summary>Called by a slot whose iteration ended: it runs the next queued iteration or goes idle.</summary>
    public void Complete(OpenIteration slot)
    {
        long next;
        lock (_lock)
        {
            if (_queued == 0)
            {
                _inFlight--;
                _idle.Push(slot);
                if (_inFlight == 0 && _dispatchDone)
                {
                    _drained.TrySetResult();
                }

                return;
            }

            next = _queue[_head];
            _head = (_head + 1) % _queue.Length;
            _queued--;
        }

        slot.Start(next, _runtime.Clock.Now);
    }

    /// <summary>No more iterations will be offered.</summary>
    public void DispatchDone()
    {
        lock (_lock)
        {
            _dispatchDone = true;
            if (_inFlight == 0)
            {
                _drained.TrySetResult();
            }
        }
    }
}
