using Probe.Engine.Results;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;

namespace Probe.Engine.Core;

/// <summary>
/// A scenario: a name, the iteration function, its load simulations, thresholds and hooks. Immutable:
/// each <c>With…</c> returns a changed copy. Create one with <see cref="Scenario.Create"/>.
/// </summary>
public sealed record ScenarioDefinition
{
    internal ScenarioDefinition(string name, Func<ScenarioContext, ValueTask<StepResult>> run)
    {
        Name = name;
        Run = run;
    }

    internal ScenarioDefinition(string name, OneStep step)
        : this(name, step.RunAsIteration)
    {
        Step = step;
    }

    public string Name { get; }

    internal Func<ScenarioContext, ValueTask<StepResult>> Run { get; }

    /// <summary>Set when every iteration is this one step, which the engine then runs and times itself.</summary>
    internal OneStep? Step { get; }

    internal Func<ScenarioInitContext, ValueTask>? Init { get; private init; }

    internal Func<ScenarioInitContext, ValueTask>? Clean { get; private init; }

    /// <summary>The first part of the timeline whose iterations run but are not counted. The default is none.</summary>
    public TimeSpan WarmUp { get; private init; }

    /// <summary>The load phases, run one after another. The default is one iteration by one copy.</summary>
    public IReadOnlyList<LoadSimulation> Simulations { get; private init; } = [Simulation.IterationsForConstant(1, 1)];

    /// <summary>Thresholds on this scenario and its steps.</summary>
    public IReadOnlyList<ThresholdSpec> Thresholds { get; private init; } = [];

    /// <summary>Open model: at most this many iterations run at once. 1 to 1,000,000; the default is 10,000.</summary>
    public int MaxInFlight { get; private init; } = 10_000;

    /// <summary>
    /// Open model: iterations due while <see cref="MaxInFlight"/> are running wait in a queue of this
    /// size (their latency still counts from their intended start); past it they are dropped and
    /// counted. 0 to 10,000,000; the default is 0: drop at once, as k6 does.
    /// </summary>
    public int MaxQueued { get; private init; }

    /// <summary>
    /// Applied to every failure message before the run keeps it for reports (and to what an on-demand
    /// iteration reports): a suite's secrets are redacted here. The default keeps messages as they are.
    /// </summary>
    public Func<string, string>? FailureMessageFilter { get; private init; }

    /// <summary>Reads the scenario's check tallies for thresholds on <c>checks</c> (k6's <c>checks rate &gt; 0.99</c>); none by default.</summary>
    public Func<CheckTotals>? Checks { get; private init; }

    /// <summary>Sets <see cref="Checks"/>: where the scenario's steps count their check evaluations.</summary>
    public ScenarioDefinition WithChecks(Func<CheckTotals> checks) => this with { Checks = checks };

    /// <summary>Sets <see cref="FailureMessageFilter"/>.</summary>
    public ScenarioDefinition WithFailureMessageFilter(Func<string, string> filter) => this with { FailureMessageFilter = filter };

    /// <summary>Sets the load phases.</summary>
    public ScenarioDefinition WithLoadSimulations(params IEnumerable<LoadSimulation> simulations)
    {
        LoadSimulation[] list = simulations.ToArray();
        _ = LoadPlan.Compile(list);
        return this with { Simulations = list };
    }

    /// <summary>Sets the warm-up: 0 or more, and shorter than a timed plan.</summary>
    public ScenarioDefinition WithWarmUpDuration(TimeSpan warmUp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmUp, TimeSpan.Zero);
        return this with { WarmUp = warmUp };
    }

    /// <summary>No warm-up: every iteration counts (the default; NBomber's name, whose default is a 30 s warm-up).</summary>
    public ScenarioDefinition WithoutWarmUp() => this with { WarmUp = TimeSpan.Zero };

    /// <summary>Runs once before the load starts; it may put shared data into the context.</summary>
    public ScenarioDefinition WithInit(Func<ScenarioInitContext, ValueTask> init) => this with { Init = init };

    /// <summary>Runs once after the load ends, even when the run was aborted.</summary>
    public ScenarioDefinition WithClean(Func<ScenarioInitContext, ValueTask> clean) => this with { Clean = clean };

    /// <summary>Adds scenario-level thresholds such as <c>p95 &lt; 1s</c>, validated now.</summary>
    /// <exception cref="FormatException">An expression does not parse; the message names the column.</exception>
    public ScenarioDefinition WithThresholds(params IEnumerable<string> expressions) =>
        WithThresholds(expressions.Select(e => new ThresholdSpec(e)));

    /// <summary>Adds thresholds, validated now.</summary>
    /// <exception cref="FormatException">An expression does not parse; the message names the column.</exception>
    public ScenarioDefinition WithThresholds(params IEnumerable<ThresholdSpec> thresholds)
    {
        ThresholdSpec[] added = thresholds.ToArray();
        foreach (ThresholdSpec spec in added)
        {
            _ = spec.Parse();
        }

        return this with { Thresholds = [.. Thresholds, .. added] };
    }

    /// <summary>
    /// The same thresholds, none aborting the run by itself: a sharded run judges abort-on-fail
    /// thresholds on the merged figures of all shards instead of on one shard's.
    /// </summary>
    public ScenarioDefinition WithAbortsDeferred() =>
        this with { Thresholds = Thresholds.Select(t => t with { AbortOnFail = false }).ToArray() };

    /// <summary>Bounds the open model's concurrency and its queue (see <see cref="MaxInFlight"/>, <see cref="MaxQueued"/>).</summary>
    public ScenarioDefinition WithMaxInFlight(int maxInFlight, int maxQueued = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInFlight, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxInFlight, 1_000_000);
        ArgumentOutOfRangeException.ThrowIfNegative(maxQueued);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxQueued, 10_000_000);
        return this with { MaxInFlight = maxInFlight, MaxQueued = maxQueued };
    }
}
