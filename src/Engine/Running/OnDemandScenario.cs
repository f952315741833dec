using Probe.Engine.Core;
using Probe.Engine.Results;

namespace Probe.Engine.Running;

/// <summary>
/// A scenario run one iteration at a time, when the caller asks (synthetic checks on a schedule),
/// instead of under a load simulation. Its init hook runs once on <see cref="StartAsync"/> and its
/// clean hook on <see cref="DisposeAsync"/>; each <see cref="RunOnceAsync"/> reports the iteration
/// and every step it ran.
/// Iterations may overlap; each has its own cancellation.
/// </summary>
public sealed class OnDemandScenario : IAsyncDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly ScenarioRuntime _runtime;
    private readonly TimeProvider _time;
    private bool _started;

    /// <param name="definition">The scenario; its load simulations are ignored.</param>
    /// <param name="time">The clock for timings. The default is the system clock.</param>
    /// <param name="log">Where the scenario's log lines go; null discards them.</param>
    public OnDemandScenario(ScenarioDefinition definition, TimeProvider? time = null, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        _time = time ?? TimeProvider.System;
        _runtime = new ScenarioRuntime(definition, new RunOptions { Time = _time, Log = log, Stripes = 1 }, _lifetime.Token);
        _runtime.StartMeasuringAt(long.MaxValue); // outcomes go to the caller; the runtime's histograms stay empty (and unmade, for steps)
    }

    public string Name => _runtime.Definition.Name;

    /// <summary>Runs the init hook, once.</summary>
    public async ValueTask StartAsync(CancellationToken cancellation = default)
    {
        if (_started)
        {
            return;
        }

        _started = true;
        if (_runtime.Definition.Init is { } init)
        {
            await init(new ScenarioInitContext(Name, _runtime.Data, _runtime.Log, cancellation)).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one iteration now. Never throws for a failing scenario: failures are in the outcome.</summary>
    /// <param name="cancellation">Cancels the iteration (a deadline or shutdown); it then fails with reason timeout or cancelled.</param>
    public async Task<IterationOutcome> RunOnceAsync(CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _lifetime.Token);
        ScenarioContext context = _runtime.NewContext(0);
        var steps = new List<StepOutcome>(4);
        DateTimeOffset startedAt = _time.GetUtcNow();
        long start = _runtime.Clock.Now;
        context.IntendedTimestamp = start;
        context.StartTimestamp = start;
        context.OwnCancellation = linked.Token;
        context.Outcomes = steps;
        StepResult result = await _runtime.RunIteration(context).ConfigureAwait(false);
        if (result is { IsOk: false, Reason: FailureReason.Timeout or FailureReason.Internal } && cancellation.IsCancellationRequested)
        {
            result = StepResult.Fail(FailureReason.Cancelled, "the check was cancelled (deadline or shutdown)");
        }

        TimeSpan duration = _runtime.Clock.ToTimeSpan(_runtime.Clock.Now - start);
        Func<string, string>? filter = _runtime.Definition.FailureMessageFilter;
        lock (steps)
        {
            return new IterationOutcome(startedAt, duration, result.WithMessageFiltered(filter), steps.Select(s => s with { Result = s.Result.WithMessageFiltered(filter) }).ToArray());
        }
    }

    /// <summary>
    /// Runs <paramref name="iterations"/> iterations one after another and keeps nothing of them: for warming
    /// a scenario's code. An iteration goes through the same calls as under a closed model's load, so warming
    /// compiles little that the load does not use. Stops early when <paramref name="cancellation"/> is cancelled or the scenario disposed.
    /// </summary>
    public async Task RepeatAsync(int iterations, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_lifetime.IsCancellationRequested, this);
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _lifetime.Token);
        ScenarioContext context = _runtime.NewContext(0);
        context.OwnCancellation = linked.Token;
        for (int i = 0; i < iterations && !linked.IsCancellationRequested; i++)
        {
            long start = _runtime.Clock.Now;
            context.IntendedTimestamp = start;
            context.StartTimestamp = start;
            StepResult result;
            try
            {
                result = await _runtime.Start(context).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                result = _runtime.ResultOf(e);
            }

            _ = _runtime.Complete(context, result);
        }
    }

    /// <summary>Cancels running iterations and runs the clean hook.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_lifetime.IsCancellationRequested)
        {
            return;
        }

        await _lifetime.CancelAsync().ConfigureAwait(false);
        if (_started && _runtime.Definition.Clean is { } clean)
        {
            await clean(new ScenarioInitContext(Name, _runtime.Data, _runtime.Log, CancellationToken.None)).ConfigureAwait(false);
        }

        _lifetime.Dispose();
    }
}

/// <summary>What one on-demand iteration came to.</summary>
/// <param name="StartedAt">Wall-clock start (for storing and showing).</param>
/// <param name="Duration">From start to the end of its last step.</param>
/// <param name="Result">The iteration's result: its first failing step's, or ok.</param>
/// <param name="Steps">Every step it ran, in order of completion.</param>
public sealed record IterationOutcome(DateTimeOffset StartedAt, TimeSpan Duration, StepResult Result, IReadOnlyList<StepOutcome> Steps);
