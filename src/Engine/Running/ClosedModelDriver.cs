using Probe.Engine.Results;
using Probe.Engine.Simulations;

namespace Probe.Engine.Running;

/// <summary>
/// Runs closed-model copies: each is a loop of iterations back to back. The driver moves the target
/// number of copies at the exact moments the phase's pure function changes; copies above the target
/// stop after their current iteration.
/// </summary>
internal sealed class ClosedModelDriver
{
    private readonly ScenarioRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly int[] _running;
    private readonly List<Task> _copies = [];
    private int _target;
    private long _budget;
    private long _budgetLeftToFinish;
    private volatile bool _budgeted;
    private TaskCompletionSource? _budgetDone;
    private CancellationToken _stop;

    public ClosedModelDriver(ScenarioRuntime runtime, TimeProvider time, LoadControl? control)
    {
        _runtime = runtime;
        _time = time;
        int most = runtime.Plan.Phases.OfType<ClosedPhase>().Select(p => Math.Max(p.StartCopies, p.EndCopies)).DefaultIfEmpty(0).Max();
        _running = new int[Math.Max(most, control?.MaxCopies ?? 0)];
        runtime.InFlight = ActiveCopies;
    }

    public async Task RunPhaseAsync(ClosedPhase phase, long phaseStart, CancellationToken stop)
    {
        _stop = stop;
        if (phase.IterationLimit is { } limit)
        {
            _budgetDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Interlocked.Exchange(ref _budgetLeftToFinish, limit);
            Interlocked.Exchange(ref _budget, limit);
            _budgeted = true;

            // The budget stays in force (at zero) until the next closed phase replaces it, so copies
            // still looping cannot slip in an iteration between the phases.
            while (true)
            {
                Task changed = _runtime.WhenLoadChanged();
                SetTarget(Controlled() ?? phase.StartCopies);
                if (await Task.WhenAny(_budgetDone.Task, changed).WaitAsync(stop).ConfigureAwait(false) == _budgetDone.Task)
                {
                    return;
                }
            }
        }

        _budgeted = false;
        TimeSpan during = phase.During!.Value;
        while (!stop.IsCancellationRequested)
        {
            TimeSpan elapsed = _runtime.Clock.ToTimeSpan(_runtime.Clock.Now - phaseStart);
            if (elapsed >= during)
            {
                return;
            }

            Task changed = _runtime.WhenLoadChanged();
            int? controlled = Controlled();
            SetTarget(controlled ?? phase.CopiesAt(elapsed));
            TimeSpan wake = controlled is null && phase.NextChangeAfter(elapsed) is { } next && next < during ? next : during;
            TimeSpan wait = wake - elapsed;
            if (wait > TimeSpan.Zero)
            {
                await DelayOrChange(wait, changed, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits <paramref name="wait"/>, or less when the load is changed meanwhile.</summary>
    private async Task DelayOrChange(TimeSpan wait, Task changed, CancellationToken stop)
    {
        if (_runtime.Control is null)
        {
            await Task.Delay(wait, _time, stop).ConfigureAwait(false);
            return;
        }

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task delay = Task.Delay(wait, _time, cancel.Token);
        if (await Task.WhenAny(delay, changed).ConfigureAwait(false) != delay)
        {
            await cancel.CancelAsync().ConfigureAwait(false);
        }

        stop.ThrowIfCancellationRequested();
    }

    private int? Controlled() => _runtime.Controlled(LoadModel.Closed) is { } o ? (int)o.Value : null;

    /// <summary>Lets every copy stop after its current iteration (when the next phase is not closed).</summary>
    public void Release() => Volatile.Write(ref _target, 0);

    /// <summary>Stops every copy after its current iteration and waits for them.</summary>
    public Task StopAll()
    {
        SetTarget(0);
        lock (_copies)
        {
            return Task.WhenAll(_copies);
        }
    }

    private int ActiveCopies()
    {
        int n = 0;
        for (int i = 0; i < _running.Length; i++)
        {
            n += Volatile.Read(ref _running[i]);
        }

        return n;
    }

    private void SetTarget(int copies)
    {
        Volatile.Write(ref _target, copies);
        for (int id = 0; id < copies; id++)
        {
            if (Interlocked.CompareExchange(ref _running[id], 1, 0) == 0)
            {
                int copy = id;
                Task loop = Task.Run(() => CopyLoop(copy));
                lock (_copies)
                {
                    _copies.Add(loop);
                }
            }
        }
    }

    private async Task CopyLoop(int id)
    {
        var context = _runtime.NewContext(id);
        int inARow = 0;
        while (true)
        {
            if (!ShouldRun(id))
            {
                Volatile.Write(ref _running[id], 0);

                // The target may have risen again between the check and the release: take the copy back.
                if (!ShouldRun(id) || Interlocked.CompareExchange(ref _running[id], 1, 0) != 0)
                {
                    return;
                }
            }

            bool budgeted = _budgeted;
            if (budgeted && !ClaimFromBudget())
            {
                Volatile.Write(ref _running[id], 0);
                return;
            }

            long now = _runtime.Clock.Now;
            context.IntendedTimestamp = now;
            context.StartTimestamp = now;

            // Started and awaited here, not through RunIteration: an async level fewer per iteration.
            ValueTask<StepResult> pending = _runtime.Start(context);
            bool synchronous = pending.IsCompleted;
            StepResult result;
            try
            {
                result = synchronous ? pending.Result : await pending.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result = _runtime.ResultOf(e);
            }

            _ = _runtime.Complete(context, result);

            // An iteration that never awaits must still let other copies and timers run.
            if (synchronous && ++inARow % 16 == 0)
            {
                await Task.Yield();
            }

            if (budgeted && Interlocked.Decrement(ref _budgetLeftToFinish) == 0)
            {
                _budgetDone?.TrySetResult();
            }
        }
    }

    /// <summary>Takes one iteration from the phase's budget; never drives it below zero, so a new budget set meanwhile stays exact.</summary>
    private bool ClaimFromBudget()
    {
        while (true)
        {
            long left = Volatile.Read(ref _budget);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _budget, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private bool ShouldRun(int id) => id < Volatile.Read(ref _target) && !_stop.IsCancellationRequested;
}
