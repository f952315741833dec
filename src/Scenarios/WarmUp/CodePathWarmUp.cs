using Probe.Engine.Core;
using Probe.Engine.Running;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.WarmUp;

/// <summary>
/// Runs each scenario's own request path a few times against a <see cref="CannedHttpServer"/> before
/// the load starts, so that compiling Probe's code (the HTTP clients, request building, response
/// parsing, checks, recording) happens off the schedule: otherwise the first iterations of a short
/// run stall for tens of milliseconds, and that stall shows as scheduler lag and as latency that is
/// not the target's. The target receives nothing: a warm-up must not change what it counts (rate
/// limits, injected error shares, stored state). http, rag and sequence steps are warmed; tls and
/// postgres steps, whose protocols the canned server does not speak, are not. Where .NET compiles
/// quickly first, the warm-up can go on until hot code has been recompiled too (<see cref="Tiering"/>).
/// </summary>
public static class CodePathWarmUp
{
    private const int IterationsPerScenario = 3;

    // A round makes as many calls as .NET counts before it recompiles a method (Tiering).
    private const int RoundIterations = 30;

    /// <summary>Warms the named scenarios of <paramref name="suite"/> (all when empty); gives up quietly after <paramref name="budget"/>.</summary>
    public static Task RunAsync(SuiteDefinition suite, IReadOnlyList<string> scenarios, TimeSpan budget, CancellationToken cancellation = default) =>
        RunAsync(suite, scenarios, budget, untilCompiled: false, cancellation);

    /// <summary>
    /// Warms the named scenarios of <paramref name="suite"/> (all when empty), with
    /// <paramref name="untilCompiled"/> in rounds until .NET has stopped recompiling their hot code
    /// (<see cref="Tiering.RepeatUntilCompiledAsync"/>); gives up quietly after <paramref name="budget"/>.
    /// </summary>
    public static async Task RunAsync(SuiteDefinition suite, IReadOnlyList<string> scenarios, TimeSpan budget, bool untilCompiled, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(scenarios);
        await using var server = new CannedHttpServer();
        SuiteDefinition canned = Redirect(suite, server.Address, scenarios);
        if (canned.Scenarios.Count == 0)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(budget);
        using BoundSuite bound = SuiteBinder.Bind(canned);
        try
        {
            await Task.WhenAll(bound.Scenarios.Select(s => WarmAsync(s, untilCompiled, limit.Token))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            // Out of budget: the run starts anyway, as it would have without a warm-up.
        }
    }

    private static async Task WarmAsync(ScenarioDefinition scenario, bool untilCompiled, CancellationToken cancellation)
    {
        await using var once = new OnDemandScenario(scenario);
        await once.RepeatAsync(IterationsPerScenario, cancellation).ConfigureAwait(false);
        if (untilCompiled)
        {
            await Tiering.RepeatUntilCompiledAsync(c => once.RepeatAsync(RoundIterations, c), cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>The suite with every target at <paramref name="address"/>, and only the steps the canned server can answer, without retries.</summary>
    internal static SuiteDefinition Redirect(SuiteDefinition suite, Uri address, IReadOnlyList<string> scenarios)
    {
        var targets = suite.Targets.Values.ToDictionary(t => t.Name, t => new TargetSpec(t.Name, address, Demo: false), StringComparer.Ordinal);
        ScenarioSpec[] kept = suite.Scenarios
            .Where(s => scenarios.Count == 0 || scenarios.Contains(s.Name))
            .Select(s => s with { Steps = s.Steps.Select(step => step.ForWarmUp()).OfType<StepSpec>().ToArray() })
            .Where(s => s.Steps.Count > 0)
            .ToArray();
        return suite with { Targets = targets, Scenarios = kept };
    }
}
