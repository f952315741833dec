using System.Runtime.CompilerServices;
using Probe.Engine.Results;

namespace Probe.Engine.Core;

/// <summary>
/// What one iteration sees: its number, the virtual user running it, the scenario's shared data, the
/// run's cancellation and a log; and <see cref="Step(string, Func{ValueTask{StepResult}})"/>, which
/// times a named step. One context serves many iterations of the same copy: do not keep it.
/// </summary>
public sealed class ScenarioContext
{
    private readonly IIterationHost _runtime;
    private readonly List<Action<ScenarioContext>> _atEnd = [];

    internal ScenarioContext(IIterationHost runtime, int copyId)
    {
        _runtime = runtime;
        CopyId = copyId;
    }

    public string ScenarioName => _runtime.ScenarioName;

    /// <summary>The iteration's number within the scenario, from 0.</summary>
    public long Iteration { get; internal set; }

    /// <summary>The virtual user (closed model) or slot (open model) running the iteration.</summary>
    public int CopyId { get; }

    /// <summary>Data the init hook put in.</summary>
    public IReadOnlyDictionary<string, object?> Data => _runtime.Data;

    /// <summary>Cancelled when the run stops: the duration is over and the grace period ran out, or the run was aborted.</summary>
    public CancellationToken Cancellation => OwnCancellation ?? _runtime.Cancellation;

    public ScenarioLog Log => _runtime.Log;

    /// <summary>When the iteration was meant to start (the scheduler's tick; the actual start in the closed model).</summary>
    internal long IntendedTimestamp { get; set; }

    /// <summary>When the iteration really started running.</summary>
    internal long StartTimestamp { get; set; }

    /// <summary>An on-demand iteration's own cancellation (its deadline or the caller's), instead of the run's.</summary>
    internal CancellationToken? OwnCancellation { get; set; }

    /// <summary>When set, each step's outcome is added here too (on-demand iterations report every step).</summary>
    internal List<StepOutcome>? Outcomes { get; set; }

    /// <summary>
    /// Has <paramref name="end"/> run once the iteration has ended: after its last step and its recording,
    /// before the virtual user's next iteration. What a step holds for one iteration only (the connection of
    /// a target that opens a new one per iteration) is let go there rather than kept until the next one
    /// begins. The same delegate asked for again in the same iteration runs once. An exception from it is
    /// logged and does not fail the iteration.
    /// </summary>
    public void AtIterationEnd(Action<ScenarioContext> end)
    {
        ArgumentNullException.ThrowIfNull(end);
        lock (_atEnd)
        {
            foreach (Action<ScenarioContext> asked in _atEnd)
            {
                if (ReferenceEquals(asked, end))
                {
                    return;
                }
            }

            _atEnd.Add(end);
        }
    }

    /// <summary>Runs what <see cref="AtIterationEnd"/> asked for in this iteration, and forgets it.</summary>
    internal void EndIteration()
    {
        if (_atEnd.Count == 0)
        {
            return;
        }

        Action<ScenarioContext>[] ends;
        lock (_atEnd)
        {
            ends = [.. _atEnd];
            _atEnd.Clear();
        }

        foreach (Action<ScenarioContext> end in ends)
        {
            try
            {
                end(this);
            }
            catch (Exception e)
            {
                Log.Warn($"at the end of iteration {Iteration}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    /// <summary>Runs and times a step. Its latency counts from the iteration's intended start shifted to the step's start; its service time from the step's actual start.</summary>
    public ValueTask<StepResult> Step(string name, Func<ValueTask<StepResult>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Step(name, run, static r => r());
    }

    /// <summary>Like <see cref="Step(string, Func{ValueTask{StepResult}})"/>, with a state argument so the step needs no closure.</summary>
    public ValueTask<StepResult> Step<TState>(string name, TState state, Func<TState, ValueTask<StepResult>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        long start = _runtime.Clock.Now;
        ValueTask<StepResult> pending;
        try
        {
            pending = run(state);
        }
        catch (Exception e)
        {
            return new ValueTask<StepResult>(Finish(name, start, _runtime.ResultOf(e)));
        }

        return pending.IsCompletedSuccessfully
            ? new ValueTask<StepResult>(Finish(name, start, pending.Result))
            : AwaitStep(pending, name, start);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> AwaitStep(ValueTask<StepResult> pending, string name, long start)
    {
        StepResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result = _runtime.ResultOf(e);
        }

        return Finish(name, start, result);
    }

    private StepResult Finish(string name, long start, in StepResult result) => Finish(name, start, _runtime.Clock.Now, result);

    /// <summary>Records a step that ran from <paramref name="start"/> to <paramref name="end"/> in this iteration.</summary>
    internal StepResult Finish(string name, long start, long end, in StepResult result)
    {
        if (_runtime.Counts(IntendedTimestamp))
        {
            long lag = StartTimestamp - IntendedTimestamp;
            _runtime.RecordStep(name, result, _runtime.Clock.ToNanoseconds(end - start + lag), _runtime.Clock.ToNanoseconds(end - start));
        }

        if (Outcomes is { } outcomes)
        {
            lock (outcomes)
            {
                outcomes.Add(new StepOutcome(name, result, _runtime.Clock.ToTimeSpan(end - start)));
            }
        }

        return result;
    }
}
