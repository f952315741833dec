using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using Probe.Engine.Scenarios;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Binding;

/// <summary>What to bind: the clock, which scenarios, and how to stretch or shrink timed load phases.</summary>
public sealed record BindOptions
{
    /// <summary>The clock for timeouts and retries. The default is the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Only these scenarios (all when empty).</summary>
    public IReadOnlyList<string> Scenarios { get; init; } = [];

    /// <summary>Stretches or shrinks every timed load phase and warm-up (see <see cref="LoadScaling"/>). The default is 1.</summary>
    public double DurationScale { get; init; } = 1;

    /// <summary>Simulated network conditions for every HTTP client of this binding (a degraded region). The default is none.</summary>
    public NetworkConditions Network { get; init; } = NetworkConditions.None;

    /// <summary>This process's shard of a sharded run: load is split and golden questions are shared out. The default is the whole.</summary>
    public ShardIdentity Shard { get; init; } = ShardIdentity.Whole;

    /// <summary>Receives certificate expiries and times to first token as steps learn them; null for none.</summary>
    public IStepFacts? Facts { get; init; }
}

/// <summary>
/// Turns a validated suite into engine scenarios: one shared HTTP client per target, secrets resolved
/// once, each step run through its retry pipeline (Polly) when it has one, so that every attempt is
/// recorded and retries never hide a failure.
/// </summary>
public static class SuiteBinder
{
    /// <exception cref="ArgumentException">A scenario named in the options is not in the suite.</exception>
    /// <exception cref="InvalidOperationException">A secret is not set.</exception>
    public static BoundSuite Bind(SuiteDefinition suite, BindOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(suite);
        options ??= new BindOptions();
        foreach (string name in options.Scenarios.Where(n => suite.Scenario(n) is null))
        {
            throw new ArgumentException($"no scenario '{name}' in {suite.File}{Suggest(name, suite.Scenarios.Select(s => s.Name))}; scenarios: {string.Join(", ", suite.Scenarios.Select(s => s.Name))}");
        }

        var tally = new Tallies(new RagTally(), new CheckTally());
        var clients = suite.Targets.Values.ToDictionary(t => t.Name, t => new TargetClient(t, options.Time, options.Network), StringComparer.Ordinal);
        var owned = new List<IDisposable>(clients.Values);
        try
        {
            var scenarios = suite.Scenarios
                .Where(s => options.Scenarios.Count == 0 || options.Scenarios.Contains(s.Name))
                .Select(s => BindScenario(s, clients, options, suite, tally, owned))
                .ToArray();
            return new BoundSuite(suite, scenarios, owned, tally);
        }
        catch
        {
            foreach (IDisposable d in owned)
            {
                d.Dispose();
            }

            throw;
        }
    }

    private static ScenarioDefinition BindScenario(ScenarioSpec spec, Dictionary<string, TargetClient> clients, BindOptions options, SuiteDefinition suite, Tallies tally, List<IDisposable> owned)
    {
        BoundStep[] steps = spec.Steps.Select(step => BindStep(step, spec, clients, options, suite, tally, owned)).ToArray();
        bool needsVariables = spec.Steps.Any(s => s is SequenceStepSpec);

        // The common load test, one step without retries, lets the engine time step and iteration at once (three async levels and two clock reads fewer per request).
        ScenarioDefinition scenario = (steps is [{ Retry: null } only] && !needsVariables
            ? Scenario.CreateOneStep(spec.Name, only.Name, ctx => only.Run(new StepScope(ctx, null)))
            : Scenario.Create(spec.Name, [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] async ValueTask<StepResult> (ScenarioContext ctx) =>
            {
                var scope = new StepScope(ctx, needsVariables ? new Dictionary<string, string>(StringComparer.Ordinal) : null);
                StepResult? firstFailure = null;
                long bytes = 0;
                foreach (BoundStep step in steps)
                {
                    StepResult result = await step.RunAsync(scope).ConfigureAwait(false);
                    bytes += result.SizeBytes;
                    firstFailure ??= result.IsOk ? null : result;
                }

                return firstFailure ?? StepResult.Ok(sizeBytes: bytes);
            }))
            .WithLoadSimulations(LoadSharding.Split(LoadScaling.Scale(spec.Load, options.DurationScale), options.Shard))
            .WithThresholds(spec.Thresholds)
            .WithWarmUpDuration(spec.WarmUp == TimeSpan.Zero ? TimeSpan.Zero : LoadScaling.Scale(spec.WarmUp, options.DurationScale));
        return spec.MaxInFlight is { } max || spec.MaxQueued > 0
            ? scenario.WithMaxInFlight(spec.MaxInFlight ?? scenario.MaxInFlight, spec.MaxQueued)
            : scenario;
    }

    private static BoundStep BindStep(StepSpec spec, ScenarioSpec scenario, Dictionary<string, TargetClient> clients, BindOptions options, SuiteDefinition suite, Tallies tally, List<IDisposable> owned, string prefix = "")
    {
        Func<StepScope, ValueTask<StepResult>> run;
        switch (spec)
        {
            case HttpStepSpec http:
                var httpStep = new HttpStep(http, clients[http.Target ?? scenario.Target], options.Time, tally.Checks.For(scenario.Name, prefix + http.Name, http.Checks));
                run = scope => httpStep.RunAsync(scope.Variables, scope.Context.Cancellation);
                break;
            case RagStepSpec rag:
                var ragStep = new RagStep(rag, clients[rag.Target ?? scenario.Target], suite.Golden[rag.Golden], tally.Rag.For(scenario.Name, rag.Name), options.Time, tally.Checks.For(scenario.Name, rag.Name, rag.Checks))
                {
                    Facts = options.Facts is { } ragFacts ? elapsed => ragFacts.TimeToFirstToken(scenario.Name, rag.Name, elapsed) : null,
                    Shard = options.Shard,
                };
                run = scope => ragStep.RunAsync(scope.Context.Iteration, scope.Context.Cancellation);
                break;
            case PostgresStepSpec postgres:
                var pgStep = new PostgresStep(postgres, options.Time, tally.Checks.For(scenario.Name, prefix + postgres.Name, postgres.Checks));
                owned.Add(pgStep);
                run = scope => pgStep.RunAsync(scope.Context.Cancellation);
                break;
            case TlsStepSpec tls:
                var tlsStep = new TlsStep(tls, suite.Targets[tls.Target ?? scenario.Target], options.Time, tally.Checks.For(scenario.Name, prefix + tls.Name, tls.Checks))
                {
                    Facts = options.Facts is { } tlsFacts ? notAfter => tlsFacts.CertificateExpires(scenario.Name, prefix + tls.Name, notAfter) : null,
                };
                run = scope => tlsStep.RunAsync(scope.Context.Cancellation);
                break;
            case SequenceStepSpec sequence:
                BoundStep[] inner = sequence.Steps.Select(s => BindStep(s, scenario, clients, options, suite, tally, owned, $"{sequence.Name}/")).ToArray();
                run = scope => RunSequence(inner, scope);
                break;
            default:
                throw new NotSupportedException($"step kind {spec.GetType().Name} of step '{spec.Name}' cannot run in this build yet");
        }

        return new BoundStep(prefix + spec.Name, run, Retry(spec.Retry, options.Time));
    }

    /// <summary>A user flow: inner steps in order, each recorded on its own; the first failure ends the flow and is its result.</summary>
    private static async ValueTask<StepResult> RunSequence(BoundStep[] steps, StepScope scope)
    {
        long bytes = 0;
        foreach (BoundStep step in steps)
        {
            StepResult result = await step.RunAsync(scope).ConfigureAwait(false);
            bytes += result.SizeBytes;
            if (!result.IsOk)
            {
                return StepResult.Fail(result.Reason, $"{step.Name}: {result.Message}", result.StatusCode, bytes);
            }
        }

        return StepResult.Ok(sizeBytes: bytes);
    }

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

    private static string Suggest(string name, IEnumerable<string> names)
    {
        string? best = names.FirstOrDefault(n => Probe.Engine.Thresholds.EditDistance.Between(n, name) <= 2);
        return best is null ? string.Empty : $" (did you mean '{best}'?)";
    }

    /// <summary>The run's side tallies that steps feed: RAG scores and per-check counts.</summary>
    internal sealed record Tallies(RagTally Rag, CheckTally Checks);

    /// <summary>What a running step sees: the iteration's context and, in scenarios with sequences, its variables.</summary>
    private readonly record struct StepScope(ScenarioContext Context, Dictionary<string, string>? Variables);

    /// <summary>A step ready to run: each attempt is its own recorded step result.</summary>
    private sealed record BoundStep(string Name, Func<StepScope, ValueTask<StepResult>> Run, ResiliencePipeline<StepResult>? Retry)
    {
        public ValueTask<StepResult> RunAsync(StepScope scope) => Retry is null
            ? Attempt(scope)
            : Retry.ExecuteAsync(static (state, _) => state.Self.Attempt(state.Scope), (Self: this, Scope: scope), scope.Context.Cancellation);

        private ValueTask<StepResult> Attempt(StepScope scope) =>
            scope.Context.Step(Name, (Self: this, Scope: scope), static s => s.Self.Run(s.Scope));
    }
}

/// <summary>The engine scenarios of a suite and the HTTP clients they share; dispose after the run.</summary>
public sealed class BoundSuite : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;

    internal BoundSuite(SuiteDefinition suite, IReadOnlyList<ScenarioDefinition> scenarios, IReadOnlyList<IDisposable> owned, SuiteBinder.Tallies tallies)
    {
        Suite = suite;
        Scenarios = scenarios;
        _owned = owned;
        Rag = tallies.Rag;
        Checks = tallies.Checks;
    }

    /// <summary>Per-question RAG figures of the run, by scenario and step.</summary>
    public RagTally Rag { get; }

    /// <summary>Every check's evaluations and failures, by scenario and step.</summary>
    public CheckTally Checks { get; }

    public SuiteDefinition Suite { get; }

    public IReadOnlyList<ScenarioDefinition> Scenarios { get; }

    public void Dispose()
    {
        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }
    }
}
