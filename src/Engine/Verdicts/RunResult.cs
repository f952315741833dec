using Probe.Engine.Stats;
using Probe.Engine.Thresholds;

namespace Probe.Engine.Verdicts;

/// <summary>Everything a run produced: per-scenario figures, threshold verdicts, validity and the verdict.</summary>
public sealed record RunResult
{
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>From the start of the load to the end of the last iteration.</summary>
    public required TimeSpan Duration { get; init; }

    public required IReadOnlyList<ScenarioSnapshot> Scenarios { get; init; }

    public required IReadOnlyList<ThresholdResult> Thresholds { get; init; }

    /// <summary>Why the figures cannot be trusted; empty when they can.</summary>
    public required IReadOnlyList<string> InvalidReasons { get; init; }

    /// <summary>Why the run stopped early, or null.</summary>
    public string? AbortReason { get; init; }

    /// <summary>The load changes made through a <see cref="Running.LoadControl"/> during the run, in order.</summary>
    public IReadOnlyList<Running.LoadChange> LoadChanges { get; init; } = [];

    public bool IsValid => InvalidReasons.Count == 0 && AbortReason is null;

    public Verdict Verdict => !IsValid ? Verdict.Invalid : Thresholds.All(t => t.Passed) ? Verdict.Passed : Verdict.Failed;

    public ExitCode ExitCode => Verdict switch
    {
        Verdict.Passed => ExitCode.Passed,
        Verdict.Failed => ExitCode.GateFailed,
        _ => ExitCode.Invalid,
    };

    /// <summary>The scenario named <paramref name="name"/>.</summary>
    public ScenarioSnapshot Scenario(string name) =>
        Scenarios.FirstOrDefault(s => s.Name == name) ?? throw new KeyNotFoundException($"no scenario '{name}' in this run");
}
