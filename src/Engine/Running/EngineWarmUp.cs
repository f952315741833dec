using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Simulations;

namespace Probe.Engine.Running;

/// <summary>
/// Sends a few empty iterations through the real open-model path before the clock starts, so the
/// first real iterations do not pay for compiling the engine and waking the thread pool: that cost
/// is the generator's, and would otherwise show up as scheduler lag and latency.
/// </summary>
internal static class EngineWarmUp
{
    private static readonly ScenarioDefinition Empty =
        Scenario.Create("warm-up", static _ => ValueTask.FromResult(StepResult.Ok())).WithLoadSimulations(Simulation.Inject(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

    public static async Task RunAsync(RunOptions options)
    {
        var runtime = new ScenarioRuntime(Empty, options with { Log = null }, CancellationToken.None);
        runtime.StartMeasuringAt(0);
        var slots = new OpenModelSlots(runtime, maxInFlight: 4, maxQueued: 64);
        for (int i = 0; i < 64; i++)
        {
            slots.Offer(runtime.Clock.Now);
        }

        slots.DispatchDone();
        await slots.Drained.ConfigureAwait(false);
        _ = runtime.Stats.SchedulerLag.Summarize();
    }
}
