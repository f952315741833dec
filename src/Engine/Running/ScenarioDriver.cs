using Probe.Engine.Simulations;

namespace Probe.Engine.Running;

/// <summary>Walks a scenario's phases in order, anchored to the plan's start so timed phases never drift.</summary>
internal sealed class ScenarioDriver
{
    private readonly ScenarioRuntime _runtime;
    private readonly RunOptions _options;
    private readonly OpenModelDriver? _open;
    private readonly ClosedModelDriver? _closed;

    public ScenarioDriver(ScenarioRuntime runtime, RunOptions options)
    {
        _runtime = runtime;
        _options = options;
        IReadOnlyList<LoadPhase> phases = runtime.Plan.Phases;
        _open = phases.Any(p => p is OpenPhase) ? new OpenModelDriver(runtime, options) : null;
        _closed = phases.Any(p => p is ClosedPhase) ? new ClosedModelDriver(runtime, options.Time, options.Control) : null;
    }

    public ScenarioRuntime Runtime => _runtime;

    public async Task RunAsync(long planStart, CancellationToken stop)
    {
        long phaseStart = planStart;
        IReadOnlyList<LoadPhase> phases = _runtime.Plan.Phases;
        try
        {
            for (int i = 0; i < phases.Count && !stop.IsCancellationRequested; i++)
            {
                LoadPhase phase = phases[i];
                _runtime.EnterPhase(i, phaseStart);
                if (phase is not ClosedPhase)
                {
                    _closed?.Release();
                }

                if (phase is ClosedPhase && _runtime.Clock.Now < phaseStart)
                {
                    // The plan starts a moment after the run set it up (LoadRunner's start lead).
                    await DelayUntil(phaseStart, stop).ConfigureAwait(false);
                }

                Task running = phase switch
                {
                    OpenPhase open => _open!.RunPhaseAsync(open, phaseStart, stop),
                    ClosedPhase closed => _closed!.RunPhaseAsync(closed, phaseStart, stop),
                    _ => DelayUntil(phaseStart + _runtime.Clock.FromTimeSpan(phase.During!.Value), stop),
                };
                await running.ConfigureAwait(false);
                phaseStart = phase.During is { } d ? phaseStart + _runtime.Clock.FromTimeSpan(d) : _runtime.Clock.Now;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Aborted or cancelled: the runner says why.
        }

        _runtime.EnterPhase(phases.Count, phaseStart);
    }

    /// <summary>Stops starting iterations and completes when every running or queued one has ended.</summary>
    public Task DrainAsync()
    {
        _open?.Slots.DispatchDone();
        return Task.WhenAll(_open?.Slots.Drained ?? Task.CompletedTask, _closed?.StopAll() ?? Task.CompletedTask);
    }

    /// <summary>Waits until <paramref name="timestamp"/> by the precise clock: a timer may fire a little early.</summary>
    private async Task DelayUntil(long timestamp, CancellationToken stop)
    {
        for (long remaining = timestamp - _runtime.Clock.Now; remaining > 0; remaining = timestamp - _runtime.Clock.Now)
        {
            await Task.Delay(_runtime.Clock.ToTimeSpan(remaining) + TimeSpan.FromTicks(1), _options.Time, stop).ConfigureAwait(false);
        }
    }
}
