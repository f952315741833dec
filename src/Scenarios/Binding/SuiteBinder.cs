using System.Runtime.CompilerServices;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Http;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Steps.Rag;
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

    /// <summary>Where browser steps write the screenshot of a failed journey; the default is <c>screenshots</c> in the current folder.</summary>
    public string? Screenshots { get; init; }
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

        SecretRedactor redactor = SecretRedactor.For(suite);
        var tally = new Tallies(new RagTally(redactor), new CheckTally(redactor));
        var clients = suite.Targets.Values.ToDictionary(t => t.Name, t => new TargetClient(t, options.Time, options.Network), StringComparer.Ordinal);
        var owned = new List<IDisposable>(clients.Values);
        try
        {
            var scenarios = suite.Scenarios
                .Where(s => options.Scenarios.Count == 0 || options.Scenarios.Contains(s.Name))
                .Select(s => BindScenario(s, clients, options, suite, tally, owned))
                .ToArray();
            return new BoundSuite(suite, scenarios, owned, tally, redactor);
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
        var binding = new StepBinding(spec, suite, options, clients, tally.Rag, tally.Checks, owned);
        BoundStep[] steps = spec.Steps.Select(binding.Bind).ToArray();
        bool needsVariables = spec.Steps.Any(s => s.PassesVariables);

        // The common load test, one step without retries, lets the engine time step and iteration at once (three async levels and two clock reads fewer per request).
        ScenarioDefinition scenario = (steps is [{ Retry: null } only] && !only.Thinks && !needsVariables
            ? Scenario.CreateOneStep(spec.Name, only.Name, ctx => only.Run(new StepScope(ctx, null)))
            : Scenario.Create(spec.Name, [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] async ValueTask<StepResult> (ScenarioContext ctx) =>
            {
                var scope = new StepScope(ctx, needsVariables ? new Dictionary<string, string>(StringComparer.Ordinal) : null);
                StepResult? firstFailure = null;
                long bytes = 0;
                foreach (BoundStep step in steps)
                {
                    StepResult result = await step.RunThenThinkAsync(scope).ConfigureAwait(false);
                    bytes += result.SizeBytes;
                    firstFailure ??= result.IsOk ? null : result;
                }

                return firstFailure ?? StepResult.Ok(sizeBytes: bytes);
            }))
            .WithLoadSimulations(LoadSharding.Split(LoadScaling.Scale(spec.Load, options.DurationScale), options.Shard))
            .WithThresholds(spec.Thresholds)
            .WithChecks(() => tally.Checks.Totals(spec.Name))
            .WithFailureMessageFilter(message => tally.Checks.Redactor.Redact(message)!)
            .WithWarmUpDuration(spec.WarmUp == TimeSpan.Zero ? TimeSpan.Zero : LoadScaling.Scale(spec.WarmUp, options.DurationScale));
        return spec.MaxInFlight is { } max || spec.MaxQueued > 0
            ? scenario.WithMaxInFlight(spec.MaxInFlight ?? scenario.MaxInFlight, spec.MaxQueued)
            : scenario;
    }

    private static string Suggest(string name, IEnumerable<string> names) => Engine.Text.DidYouMean.Hint(name, names);

    /// <summary>The run's side tallies that steps feed: RAG scores and per-check counts.</summary>
    internal sealed record Tallies(RagTally Rag, CheckTally Checks);
}

/// <summary>The engine scenarios of a suite and the HTTP clients they share; dispose after the run.</summary>
public sealed class BoundSuite : IDisposable
{
    private readonly IReadOnlyList<IDisposable> _owned;

    internal BoundSuite(SuiteDefinition suite, IReadOnlyList<ScenarioDefinition> scenarios, IReadOnlyList<IDisposable> owned, SuiteBinder.Tallies tallies, SecretRedactor redactor)
    {
        Redactor = redactor;
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

    /// <summary>Keeps the suite's secrets out of text (failure messages, quoted answers) before it is written anywhere.</summary>
    public SecretRedactor Redactor { get; }

    public IReadOnlyList<ScenarioDefinition> Scenarios { get; }

    public void Dispose()
    {
        foreach (IDisposable d in _owned)
        {
            d.Dispose();
        }
    }
}
