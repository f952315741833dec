using Polly;
using Polly.Retry;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Http;
using Probe.Scenarios.Steps.Rag;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps;

/// <summary>What a step kind binds a step with: the scenario and suite, the binding's options, the shared HTTP clients and the run's tallies.</summary>
internal sealed class StepBinding
{
    private readonly IReadOnlyDictionary<string, TargetClient> _clients;

    public StepBinding(ScenarioSpec scenario, SuiteDefinition suite, BindOptions options, IReadOnlyDictionary<string, TargetClient> clients, RagTally rag, CheckTally checks, List<IDisposable> owned, string prefix = "")
    {
        Scenario = scenario;
        Suite = suite;
        Options = options;
        _clients = clients;
        Rag = rag;
        CheckTally = checks;
        Owned = owned;
        Prefix = prefix;
    }

    public ScenarioSpec Scenario { get; }

    public SuiteDefinition Suite { get; }

    public BindOptions Options { get; }

    public RagTally Rag { get; }

    public CheckTally CheckTally { get; }

    /// <summary>Things the bound suite disposes of after the run (connection pools, say).</summary>
    public List<IDisposable> Owned { get; }

    /// <summary>Before a step's name in reports: <c>sequence/</c> inside a sequence, else empty.</summary>
    public string Prefix { get; }

    /// <summary>The shared client of <paramref name="target"/>, or of the scenario's target when null.</summary>
    public TargetClient Client(string? target) => _clients[target ?? Scenario.Target];

    /// <summary>The tally of <paramref name="step"/>'s checks, under its reported name.</summary>
    public StepChecks Checks(StepSpec step) => CheckTally.For(Scenario.Name, Prefix + step.Name, step.Checks);

    /// <summary>Binds <paramref name="step"/> (of any kind), with its retries.</summary>
    public BoundStep Bind(StepSpec step) => new(Prefix + step.Name, step.Kind.Bind(step, this), Retry(step.Retry, Options.Time)) { Think = step.Think, ThinkUpTo = step.ThinkUpTo, Time = Options.Time };

    /// <summary>The binding for the steps inside a sequence named <paramref name="sequence"/>.</summary>
    public StepBinding Inside(string sequence) => new(Scenario, Suite, Options, _clients, Rag, CheckTally, Owned, $"{Prefix}{sequence}/");

    private static ResiliencePipeline<StepResult>? Retry(RetrySpec? retry, TimeProvider time) => retry is not { Attempts: > 1 } r ? null :
        new ResiliencePipelineBuilder<StepResult> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<StepResult>
            {
                MaxRetryAttempts = r.Attempts - 1,
                Delay = r.Backoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = false,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Result is { IsOk: false, Reason: not FailureReason.Cancelled }),
            })
            .Build();
}

/// <summary>What a running step sees: the iteration's context and, in scenarios with sequences, its variables.</summary>
internal readonly record struct StepScope(ScenarioContext Context, Dictionary<string, string>? Variables);

/// <summary>A step ready to run: each attempt is its own recorded step result.</summary>
internal sealed record BoundStep(string Name, Func<StepScope, ValueTask<StepResult>> Run, ResiliencePipeline<StepResult>? Retry)
{
    /// <summary>The step's think time: the wait after it (<see cref="StepSpec.Think"/>).</summary>
    public TimeSpan Think { get; init; }

    /// <summary>A think range's upper end (<see cref="StepSpec.ThinkUpTo"/>); zero for a fixed think time.</summary>
    public TimeSpan ThinkUpTo { get; init; }

    /// <summary>Whether the step waits after it.</summary>
    public bool Thinks => Think > TimeSpan.Zero || ThinkUpTo > TimeSpan.Zero;

    /// <summary>The clock think time waits on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Runs the step, then waits its think time (not part of the step's recorded time); without one, just runs it (no extra async level per request).</summary>
    public ValueTask<StepResult> RunThenThinkAsync(StepScope scope) => Thinks ? RunAndThinkAsync(scope) : RunAsync(scope);

    /// <summary>This time's think: the fixed time, or one drawn uniformly from the range.</summary>
    internal TimeSpan NextThink() => ThinkUpTo > Think
        ? Think + TimeSpan.FromTicks((long)((ThinkUpTo - Think).Ticks * Random.Shared.NextDouble()))
        : Think;

    private async ValueTask<StepResult> RunAndThinkAsync(StepScope scope)
    {
        StepResult result = await RunAsync(scope).ConfigureAwait(false);
        await Time.DelayAtLeastAsync(NextThink(), scope.Context.Cancellation).ConfigureAwait(false);
        return result;
    }

    public ValueTask<StepResult> RunAsync(StepScope scope) => Retry is null
        ? Attempt(scope)
        : Retry.ExecuteAsync(static (state, _) => state.Self.Attempt(state.Scope), (Self: this, Scope: scope), scope.Context.Cancellation);

    private ValueTask<StepResult> Attempt(StepScope scope) =>
        scope.Context.Step(Name, (Self: this, Scope: scope), static s => s.Self.Run(s.Scope));
}
