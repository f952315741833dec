using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Simulations;

namespace Probe.Engine.Running;

/// <summary>
/// Sends a few empty iterations through the real open-model path before the clock starts, so the
/// first real iterations do not pay for compiling the engine and waking the thread pool: that cost
/// is the generator's, and would otherwise show up as scheduler lag and latency. Then cuts two
/// seconds of their figures the way the run's once-a-second sampler does: compiled on the run's first
/// ticks, that path took 45-80 ms of CPU at 1 s and 9-16 ms at 2 s, and on a busy two-core machine
/// the open model's starts then came 10-20 ms late. Last, summarises the run's own scenarios once.
/// With <see cref="RunOptions.WarmUntilCompiled"/> and an open model in the run, the empty iterations
/// go on in rounds until .NET has recompiled the hot ones (<see cref="Tiering"/>): a closed model's
/// users wait for nothing, so their recompiling costs the run no late start.
/// </summary>
internal static class EngineWarmUp
{
    // A step's figures as a real request leaves them (a status, its phases, every fourth a failure),
    // so that summarising them compiles what a real run's first second needs.
    private static readonly Func<ValueTask<StepResult>> Answered =
        static () => ValueTask.FromResult(StepResult.Ok(statusCode: 200, sizeBytes: 1) with { Phases = new PhaseTimings(1, 1, 1, 1, 1) });

    private static readonly Func<ValueTask<StepResult>> Failed =
        static () => ValueTask.FromResult(StepResult.Fail(FailureReason.Timeout, statusCode: 504));

    private static readonly ScenarioDefinition Empty =
        Scenario.Create("warm-up", static context => Step.Run("step", context, context.Iteration % 4 == 3 ? Failed : Answered))
            .WithLoadSimulations(Simulation.Inject(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

    /// <summary>Warms the engine on a scenario of its own, then summarises <paramref name="runtimes"/> (the run's, not yet started) once.</summary>
    public static async Task RunAsync(IReadOnlyList<ScenarioRuntime> runtimes, RunOptions options)
    {
        var runtime = new ScenarioRuntime(Empty, options with { Log = null }, CancellationToken.None);
        runtime.StartMeasuringAt(0);
        await OfferAsync(runtime, 64).ConfigureAwait(false);
        if (options.WarmUntilCompiled && runtimes.Any(r => r.Definition.Simulations.Any(l => l.Model == LoadModel.Open)))
        {
            await Tiering.RepeatUntilCompiledAsync(_ => OfferAsync(runtime, 32)).ConfigureAwait(false);
        }

        _ = runtime.Stats.SchedulerLag.Summarize();

        long start = runtime.Clock.Now;
        runtime.EnterPhase(0, start);
        long second = runtime.Clock.FromTimeSpan(TimeSpan.FromSeconds(1));
        RunOptions quiet = options with { Log = null, OnProgress = null };
        var sampler = new RunSampler([runtime], quiet, start, static _ => { });
        sampler.Tick(start + second);
        sampler.Tick(start + (2 * second));
        sampler.CutFinal(start + (2 * second) + 1);

        // The real scenarios' own steps and checks summarise through code of their own.
        long now = runtime.Clock.Now;
        _ = new RunSampler(runtimes, quiet, now, static _ => { }).Snapshots(now);
    }

    /// <summary>Sends <paramref name="count"/> empty iterations through the open model's slots at once; completes when all are done.</summary>
    private static Task OfferAsync(ScenarioRuntime runtime, int count)
    {
        var slots = new OpenModelSlots(runtime, maxInFlight: 4, maxQueued: 64);
        for (int i = 0; i < count; i++)
        {
            slots.Offer(runtime.Clock.Now);
        }

        slots.DispatchDone();
        return slots.Drained;
    }
}
