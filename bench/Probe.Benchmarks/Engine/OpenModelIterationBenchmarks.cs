using BenchmarkDotNet.Attributes;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;

namespace Probe.Benchmarks.Engine;

/// <summary>
/// The engine's own cost per open-model iteration of an empty scenario: offer to the slots, start
/// inline, run, record latency, service time, lag and counters, return the slot. Allocations per
/// iteration come from the MemoryDiagnoser column.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class OpenModelIterationBenchmarks
{
    private const int Batch = 1_024;
    private (ScenarioRuntime Runtime, OpenModelSlots Slots) _empty;
    private (ScenarioRuntime Runtime, OpenModelSlots Slots) _oneStep;

    [GlobalSetup]
    public void Setup()
    {
        _empty = Create(Scenario.Create("empty", static _ => ValueTask.FromResult(StepResult.Ok(200, 50))));
        _oneStep = Create(Scenario.Create("one-step", static ctx => ctx.Step("get", static () => ValueTask.FromResult(StepResult.Ok(200, 50)))));
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Iteration_EmptyScenario() => Offer(_empty);

    [Benchmark(OperationsPerInvoke = Batch)]
    public void Iteration_OneStep() => Offer(_oneStep);

    private static void Offer((ScenarioRuntime Runtime, OpenModelSlots Slots) target)
    {
        for (int i = 0; i < Batch; i++)
        {
            target.Slots.Offer(target.Runtime.Clock.Now);
        }
    }

    private static (ScenarioRuntime, OpenModelSlots) Create(ScenarioDefinition scenario)
    {
        var runtime = new ScenarioRuntime(scenario.WithLoadSimulations(Simulation.Inject(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1))), new RunOptions(), CancellationToken.None);
        runtime.StartMeasuringAt(0);
        return (runtime, new OpenModelSlots(runtime, maxInFlight: 16, maxQueued: 0));
    }
}
