using System.Runtime.CompilerServices;
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
            if (_runtime.Control is null)
            {
                DispatchPlan(phase, phaseStart, waiter, stop);
            }
            else
            {
                _runtime.OnLoadChanged = waiter.Interrupt;
                try
                {
                    DispatchControlled(phase, phaseStart, waiter, stop);
                }
                finally
                {
                    _runtime.OnLoadChanged = null;
                }
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

    // The schedule's loops are compiled optimised on their first call and never recompiled while they run (PreciseWaiter.WaitUntil).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DispatchPlan(OpenPhase phase, long phaseStart, PreciseWaiter waiter, CancellationToken stop)
    {
        Timestamps clock = _runtime.Clock;
        for (long k = 0; k < phase.TotalIterations; k++)
        {
            long intended = phaseStart + clock.FromTimeSpan(phase.IntendedStart(k));
            waiter.WaitUntil(intended, stop);
            Slots.Offer(intended);
        }
    }

    /// <summary>
    /// The plan's schedule, or while a change sets a rate, evenly spaced starts at that rate from the
    /// moment it was set (or from the phase's start, for a change carried over from an earlier phase).
    /// Taken back, the plan resumes with its first iteration due after that moment. The phase lasts its
    /// whole time, so a change near its end still applies.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DispatchControlled(OpenPhase phase, long phaseStart, PreciseWaiter waiter, CancellationToken stop)
    {
        Timestamps clock = _runtime.Clock;
        long phaseEnd = phaseStart + clock.FromTimeSpan(phase.During!.Value);
        long k = 0;
        LoadOverride? following = null;
        long started = 0;
        while (true)
        {
            LoadOverride? change = _runtime.Controlled(LoadModel.Open);
            if (!ReferenceEquals(change, following))
            {
                following = change;
                started = 0;
            }

            long intended;
            if (change is null)
            {
                intended = k < phase.TotalIterations ? phaseStart + clock.FromTimeSpan(phase.IntendedStart(k)) : phaseEnd;
            }
            else
            {
                long from = Math.Max(change.Since, phaseStart);
                intended = change.Value > 0 ? from + (long)(started * (clock.Frequency / change.Value)) : phaseEnd;
            }

            if (intended >= phaseEnd)
            {
                if (!waiter.WaitUntil(phaseEnd, stop))
                {
                    k = Resume(phase, phaseStart);
                    continue;
                }

                return;
            }

            if (!waiter.WaitUntil(intended, stop))
            {
                k = Resume(phase, phaseStart);
                continue;
            }

            Slots.Offer(intended);
            if (change is null)
            {
                k++;
            }
            else
            {
                started++;
            }
        }
    }

    /// <summary>The plan's first iteration due after now, where the plan picks up after a change.</summary>
    private long Resume(OpenPhase phase, long phaseStart) =>
        phase.DueBy(_runtime.Clock.ToTimeSpan(_runtime.Clock.Now - phaseStart));
}
