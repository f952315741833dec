using System.Runtime.CompilerServices;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Engine.Running;

/// <summary>One scenario while it runs: its definition, plan, figures, clock and the iteration itself.</summary>
internal sealed class ScenarioRuntime : IIterationHost
{
    private long _nextIteration;
    private long _measureFrom = long.MaxValue;
    private readonly long _lagBound;
    private volatile bool _warm;
    private readonly Lock _controlLock = new();
    private LoadOverride? _override;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScenarioRuntime(ScenarioDefinition definition, RunOptions options, CancellationToken cancellation)
    {
        Definition = definition;
        Plan = LoadPlan.Compile(definition.Simulations);
        Stats = new ScenarioStats(definition.Name, options.Stripes, definition.FailureMessageFilter);
        Clock = new Timestamps(options.Time);
        Log = new ScenarioLog(definition.Name, options.Log);
        Cancellation = cancellation;
        _lagBound = Clock.FromTimeSpan(options.LagBound);
    }

    public ScenarioDefinition Definition { get; }

    public LoadPlan Plan { get; }

    public ScenarioStats Stats { get; }

    public Timestamps Clock { get; }

    public ScenarioLog Log { get; }

    public Dictionary<string, object?> Data { get; } = new(StringComparer.Ordinal);

    public string ScenarioName => Definition.Name;

    IReadOnlyDictionary<string, object?> IIterationHost.Data => Data;

    public void RecordStep(string name, in StepResult result, long latencyNs, long serviceNs) => Stats.Step(name).Record(result, latencyNs, serviceNs);

    /// <summary>Cancelled when in-flight iterations must stop.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Results of iterations intended to start before this timestamp (the warm-up) are not counted.</summary>
    public long MeasureFrom => Volatile.Read(ref _measureFrom);

    /// <summary>The phase running now and when it started, for live load figures (set through <see cref="EnterPhase"/>).</summary>
    public (int Index, long StartTimestamp) CurrentPhase { get; private set; } = (-1, 0);

    /// <summary>The run's load control, when it has one.</summary>
    public LoadControl? Control { get; set; }

    /// <summary>Called when a load change is applied or taken back (the open model's dispatcher wakes on it).</summary>
    public Action? OnLoadChanged { get; set; }

    public Func<int> InFlight { get; set; } = static () => 0;

    /// <summary>The override of the phase's load set through the control, if it is of <paramref name="model"/>.</summary>
    public LoadOverride? Controlled(LoadModel model) => Volatile.Read(ref _override) is { } o && o.Model == model ? o : null;

    /// <summary>Completes at the next load change.</summary>
    public Task WhenLoadChanged() => Volatile.Read(ref _changed).Task;

    /// <summary>Moves to phase <paramref name="index"/> (the phase count when the plan is over); a change of another model ends there.</summary>
    public void EnterPhase(int index, long start)
    {
        bool resumed = false;
        lock (_controlLock)
        {
            CurrentPhase = (index, start);
            if (_override is { } o && (index >= Plan.Phases.Count || Plan.Phases[index].Model != o.Model))
            {
                Volatile.Write(ref _override, null);
                SignalLoadChanged();
                resumed = index < Plan.Phases.Count;
            }
        }

        // Outside the lock: the control takes its own lock first and then this one.
        if (resumed)
        {
            Control?.RecordPlanResumed(Definition.Name, start);
        }
    }

    /// <summary>
    /// Sets (or, with null, takes back) a change of the load now; returns why the phase refuses it, or null:
    /// <see cref="LoadRefusal.NotRunning"/> while the scenario warms up (its load has not started: a caller may
    /// wait for it), else <see cref="LoadRefusal.Conflict"/>.
    /// </summary>
    public (LoadRefusal Refusal, string Why)? TryControl(LoadOverride? change)
    {
        lock (_controlLock)
        {
            int index = CurrentPhase.Index;
            if (index < 0)
            {
                return (LoadRefusal.NotRunning, "has not started its plan yet");
            }

            if (index >= Plan.Phases.Count)
            {
                return (LoadRefusal.Conflict, "has finished its plan");
            }

            string phase = $"phase {PhaseText()}";
            LoadModel model = Plan.Phases[index].Model;
            if (change is null)
            {
                if (_override is null)
                {
                    return (LoadRefusal.Conflict, "already follows its plan");
                }
            }
            else if (model == LoadModel.Pause)
            {
                return (LoadRefusal.Conflict, $"is in a pause ({phase}): copies change a closed phase and a rate an open one");
            }
            else if (model != change.Model)
            {
                return (LoadRefusal.Conflict, model == LoadModel.Closed
                    ? $"runs copies in a closed phase ({phase}): set copies, not a rate"
                    : $"starts iterations at a rate in an open phase ({phase}): set a rate, not copies");
            }

            Volatile.Write(ref _override, change);
            SignalLoadChanged();
            return null;
        }
    }

    /// <summary>The load now, for the control's answer.</summary>
    public ScenarioLoad LoadNow(long now, bool ended)
    {
        lock (_controlLock)
        {
            (int index, _) = CurrentPhase;
            string state = index < 0 ? "starting" : ended || index >= Plan.Phases.Count ? "done" : Plan.Phases[index].Model.ToString().ToLowerInvariant();
            return new ScenarioLoad(Definition.Name, state, PlannedLoad(now), _override?.Value, ended ? null : PhaseText());
        }
    }

    public void StartMeasuringAt(long timestamp) => Volatile.Write(ref _measureFrom, timestamp);

    /// <summary>
    /// True once an iteration has completed: its code is compiled and its connections open, so the
    /// open model may start iterations on the scheduler thread without a first-call stall there.
    /// </summary>
    public bool Warm => _warm;

    public bool Counts(long intendedTimestamp) => intendedTimestamp >= Volatile.Read(ref _measureFrom);

    public ScenarioContext NewContext(int copyId) => new(this, copyId);

    /// <summary>Runs one iteration of <paramref name="context"/>, whose timestamps are set, and records it.</summary>
    public ValueTask<StepResult> RunIteration(ScenarioContext context)
    {
        ValueTask<StepResult> pending = Start(context);
        return pending.IsCompletedSuccessfully
            ? new ValueTask<StepResult>(Complete(context, pending.Result))
            : AwaitIteration(pending, context);
    }

    /// <summary>
    /// Starts an iteration of <paramref name="context"/>, whose timestamps are set; the caller awaits the
    /// result (an exception is the iteration's failure, see <see cref="ResultOf"/>) and passes it to
    /// <see cref="Complete"/>. A driver that awaits anyway saves an async level this way.
    /// </summary>
    public ValueTask<StepResult> Start(ScenarioContext context)
    {
        context.Iteration = Interlocked.Increment(ref _nextIteration) - 1;
        try
        {
            return Definition.Step is { } step ? step.Run(context) : Definition.Run(context);
        }
        catch (Exception e)
        {
            return new ValueTask<StepResult>(ResultOf(e));
        }
    }

    /// <summary>Records the iteration <see cref="Start"/> began (and, in a one-step scenario, its step), ends it (<see cref="ScenarioContext.AtIterationEnd"/>) and returns its result.</summary>
    public StepResult Complete(ScenarioContext context, in StepResult result)
    {
        _warm = true;
        long end = Clock.Now;
        StepResult iteration = Definition.Step is { } step ? OneStep.AsIteration(context.Finish(step.Name, context.StartTimestamp, end, result)) : result;
        if (Counts(context.IntendedTimestamp))
        {
            Stats.Iterations.Record(iteration, Clock.ToNanoseconds(end - context.IntendedTimestamp), Clock.ToNanoseconds(end - context.StartTimestamp));
        }

        context.EndIteration();
        return iteration;
    }

    /// <summary>Records how late (in timestamp ticks) the open model started the iteration due at <paramref name="intended"/>.</summary>
    public void RecordStart(long intended, long lag)
    {
        Stats.SchedulerLag.Record(Clock.ToNanoseconds(lag));
        if (lag > _lagBound)
        {
            Stats.CountLateStart(Clock.ToTimeSpan(intended - MeasureFrom), Clock.ToTimeSpan(lag));
        }
    }

    /// <summary>The load phase now, for progress displays: "2/3 ramping-constant to 50 over 5m"; null before the first and after the last.</summary>
    public string? PhaseText()
    {
        int index = CurrentPhase.Index;
        return index < 0 || index >= Plan.Simulations.Count ? null : $"{index + 1}/{Plan.Simulations.Count} {Plan.Simulations[index]}";
    }

    /// <summary>The live load: copies in a closed phase, arrivals per second in an open one, as a change set them or as planned.</summary>
    public double CurrentLoad(long now) => Volatile.Read(ref _override)?.Value ?? PlannedLoad(now);

    private void SignalLoadChanged()
    {
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        OnLoadChanged?.Invoke();
    }

    private double PlannedLoad(long now)
    {
        (int index, long start) = CurrentPhase;
        if (index < 0 || index >= Plan.Phases.Count)
        {
            return 0;
        }

        TimeSpan into = Clock.ToTimeSpan(now - start);
        return Plan.Phases[index] switch
        {
            OpenPhase open => open.RateAt(into),
            ClosedPhase closed => closed.CopiesAt(into),
            _ => 0,
        };
    }

    /// <summary>Maps an exception from a scenario or step to a failed result.</summary>
    public StepResult ResultOf(Exception e) => e switch
    {
        OperationCanceledException when Cancellation.IsCancellationRequested => StepResult.Fail(FailureReason.Cancelled, "the run was stopping"),
        TimeoutException or OperationCanceledException => StepResult.Fail(FailureReason.Timeout, e.Message),
        _ => StepResult.Fail(FailureReason.Internal, $"{e.GetType().Name}: {e.Message}"),
    };

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> AwaitIteration(ValueTask<StepResult> pending, ScenarioContext context)
    {
        StepResult result;
        try
        {
            result = await pending.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            result = ResultOf(e);
        }

        return Complete(context, result);
    }
}

/// <summary>A load change in force: copies (closed) or a rate per second (open), since a timestamp.</summary>
internal sealed record LoadOverride(LoadModel Model, double Value, long Since);
