using Probe.Engine.Simulations;
using Probe.Engine.Timing;

namespace Probe.Engine.Running;

/// <summary>
/// Dispatches an open phase's iterations at their intended starts from a dedicated thread, so that a
/// busy thread pool cannot delay the schedule. Each iteration starts on that thread and runs there
/// until its first await (waking a pool thread per iteration costs up to milliseconds on a busy
/// machine); its continuations run on the thread pool. Until the scenario's first iteration has
/// completed, iterations start on the thread pool instead, so first-call compilation and connection
/// set-up do not stall the schedule. A scenario that blocks synchronously therefore
/// delays the schedule, which shows as scheduler lag and makes the run invalid rather than hiding.
/// </summary>
internal sealed class OpenModelDriver
{
    private readonly ScenarioRuntime _runtime;
    private readonly RunOptions _options;

    public OpenModelDriver(ScenarioRuntime runtime, RunOptions options)
    {
        _runtime = runtime;
        _options = options;
        Slots = new OpenModelSlots(runtime, runtime.Definition.MaxInFlight, runtime.Definition.MaxQueued);
        runtime.InFlight = () => Slots.InFlight;
    }

    public OpenModelSlots Slots { get; }

    /// <summary>Dispatches every iteration of <paramref name="phase"/>; completes when the last one is offered.</summary>
    public Task RunPhaseAsync(OpenPhase phase, long phaseStart, CancellationToken stop)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() => Dispatch(phase, phaseStart, stop, done), maxStackSize: 256 * 1024)
        {
            IsBackground = true,
            Name = $"probe-open-{_runtime.Definition.Name}",
        };
        thread.Start();
        return done.Task;
    }

    private void Dispatch(OpenPhase phase, long phaseStart, CancellationToken stop, TaskCompletionSource done)
    {
        try
        {
            using var waiter = new PreciseWaiter(_options.Time, _options.SpinWindow);
            Timestamps clock = _runtime.Clock;
            for (long k = 0; k < phase.TotalIterations; k++)
            {
                long intended = phaseStart + clock.FromTimeSpan(phase.IntendedStart(k));
                waiter.WaitUntil(intended, stop);
                Slots.Offer(intended);
            }

            done.TrySetResult();
        }
        catch (OperationCanceledException)
        {
            done.TrySetResult();
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }
}
