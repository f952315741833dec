using Probe.Scenarios.Suite;
using System.Collections.Concurrent;
using Probe.Engine.Stats;

namespace Probe.Scenarios.Checks;

/// <summary>Every check of a run, by scenario and step: how often it was evaluated and how often it failed, for per-check reports.</summary>
public sealed class CheckTally
{
    private readonly ConcurrentDictionary<(string Scenario, string Step), StepChecks> _steps = new();

    /// <param name="redactor">Keeps secrets out of the answers a failed check quotes; none by default.</param>
    public CheckTally(SecretRedactor? redactor = null) => Redactor = redactor ?? SecretRedactor.None;

    /// <summary>What keeps secrets out of quoted answers.</summary>
    public SecretRedactor Redactor { get; }

    /// <summary>One line per check, in scenario, step and declaration order.</summary>
    public IReadOnlyList<CheckReport> Reports() =>
        _steps.OrderBy(s => s.Key.Scenario, StringComparer.Ordinal).ThenBy(s => s.Key.Step, StringComparer.Ordinal)
            .SelectMany(s => s.Value.Reports(s.Key.Scenario, s.Key.Step))
            .ToArray();

    /// <summary>Every check evaluation of <paramref name="scenario"/>'s steps so far, for <c>checks rate</c> thresholds.</summary>
    public CheckTotals Totals(string scenario) =>
        _steps.Where(s => s.Key.Scenario == scenario).Aggregate(default(CheckTotals), (sum, s) => sum + s.Value.Totals());

    internal StepChecks For(string scenario, string step, IReadOnlyList<CheckExpression> checks) =>
        _steps.GetOrAdd((scenario, step), static (_, state) => new StepChecks(state.Checks, state.Redactor), (Checks: checks, Redactor));
}

/// <summary>A step's checks with their counters. Every check is evaluated each time; the first failure is the step's message.</summary>
internal sealed class StepChecks
{
    private readonly CheckExpression[] _checks;
    private readonly long[] _evaluated;
    private readonly long[] _failed;
    private readonly string?[] _lastActual;

    private readonly SecretRedactor _redactor;

    public StepChecks(IReadOnlyList<CheckExpression> checks, SecretRedactor? redactor = null)
    {
        _redactor = redactor ?? SecretRedactor.None;
        _checks = checks.ToArray();
        _evaluated = new long[_checks.Length];
        _failed = new long[_checks.Length];
        _lastActual = new string?[_checks.Length];
    }

    public int Count => _checks.Length;

    /// <summary>Evaluates every check against <paramref name="input"/>; the first failure's message, or null when all held.</summary>
    public string? FirstFailure(CheckInput input)
    {
        string? first = null;
        for (int i = 0; i < _checks.Length; i++)
        {
            Interlocked.Increment(ref _evaluated[i]);
            if (!CheckEvaluator.Holds(_checks[i], input, out string? actual))
            {
                Interlocked.Increment(ref _failed[i]);
                Volatile.Write(ref _lastActual[i], _redactor.Redact(actual) is { } shown ? Probe.Engine.Text.Printable.Of(shown) : null);
                first ??= CheckOutcome.FailureMessage(_checks[i], actual);
            }
        }

        return first;
    }

    public CheckTotals Totals()
    {
        long evaluated = 0, failed = 0;
        for (int i = 0; i < _checks.Length; i++)
        {
            evaluated += Interlocked.Read(ref _evaluated[i]);
            failed += Interlocked.Read(ref _failed[i]);
        }

        return new CheckTotals(evaluated, failed);
    }

    public IEnumerable<CheckReport> Reports(string scenario, string step) =>
        _checks.Select((c, i) => new CheckReport(scenario, step, c.Text, Interlocked.Read(ref _evaluated[i]), Interlocked.Read(ref _failed[i]), Volatile.Read(ref _lastActual[i])));
}
