using Probe.Engine.Core;
using Probe.Engine.Results;

namespace Probe.Engine.Running;

/// <summary>
/// One open-model slot: a pooled thread-pool work item that runs an iteration and, when it ends,
/// either takes the next queued iteration or returns to the pool. Steady state allocates nothing.
/// </summary>
internal sealed class OpenIteration : IThreadPoolWorkItem
{
    private readonly OpenModelSlots _slots;
    private readonly ScenarioRuntime _runtime;
    private readonly ScenarioContext _context;
    private readonly Action _onCompleted;
    private ValueTask<StepResult> _pending;
    private long _eligible;

    public OpenIteration(OpenModelSlots slots, ScenarioRuntime runtime, int slot)
    {
        _slots = slots;
        _runtime = runtime;
        _context = runtime.NewContext(slot);
        _onCompleted = OnCompleted;
    }

    /// <summary>Queues the iteration intended at <paramref name="intended"/>, eligible to run from <paramref name="eligible"/>.</summary>
    public void Start(long intended, long eligible)
    {
        _context.IntendedTimestamp = intended;
        _eligible = eligible;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    /// <summary>Runs the iteration on the calling thread until its first await.</summary>
    public void StartInline(long intended)
    {
        _context.IntendedTimestamp = intended;
        _eligible = intended;
        Execute();
    }

    public void Execute()
    {
        long now = _runtime.Clock.Now;
        _context.StartTimestamp = now;
        if (_runtime.Counts(_context.IntendedTimestamp))
        {
            _runtime.RecordStart(_context.IntendedTimestamp, now - _eligible);
        }

        ValueTask<StepResult> pending = _runtime.Start(_context);
        if (pending.IsCompleted)
        {
            Finish(pending);
            return;
        }

        _pending = pending;
        pending.GetAwaiter().UnsafeOnCompleted(_onCompleted);
    }

    private void OnCompleted()
    {
        ValueTask<StepResult> pending = _pending;
        _pending = default;
        Finish(pending);
    }

    private void Finish(ValueTask<StepResult> pending)
    {
        // Reading the result releases a pooled source; an exception is the iteration's failure.
        StepResult result;
        try
        {
            result = pending.GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            result = _runtime.ResultOf(e);
        }

        _ = _runtime.Complete(_context, result);
        _slots.Complete(this);
    }
}
