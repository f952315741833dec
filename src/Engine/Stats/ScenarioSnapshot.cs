using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>A scenario's figures at one moment: while running (for live progress) or final.</summary>
public sealed record ScenarioSnapshot
{
    public required string Name { get; init; }

    /// <summary>Whole iterations.</summary>
    public required StepSnapshot Iterations { get; init; }

    public required IReadOnlyList<StepSnapshot> Steps { get; init; }

    /// <summary>Open model: the generator's own delay in starting eligible iterations.</summary>
    public required LatencySummary SchedulerLag { get; init; }

    /// <summary>Open model: iterations started later than the lag bound after they were due.</summary>
    public LateStarts LateStarts { get; init; } = LateStarts.None;

    /// <summary>Open model: iterations not started because the in-flight cap and the queue were full.</summary>
    public required long Dropped { get; init; }

    /// <summary>While running: the load phase now, as "2/3 ramping-constant to 50 over 5m"; null once the plan is over or in a final snapshot.</summary>
    public string? Phase { get; init; }

    /// <summary>Copies or arrival rate now.</summary>
    public required double CurrentLoad { get; init; }

    public required int InFlight { get; init; }

    public required IReadOnlyList<LoadSample> Load { get; init; }

    /// <summary>The scenario's check evaluations, when its steps have checks the engine is told of (suites do); null otherwise.</summary>
    public CheckTotals? Checks { get; init; }

    /// <summary>The step named <paramref name="name"/>, or null.</summary>
    public StepSnapshot? Step(string name) => Steps.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// The steps that are requests, not groups of them: a sequence <c>flow</c> records its inner steps as
    /// <c>flow/step</c>, so a step with others under its name is left out (k6's http_req_* read requests;
    /// a group's time also holds the think time between them).
    /// </summary>
    public IReadOnlyList<StepSnapshot> Requests() =>
        Steps.Where(s => !Steps.Any(o => o.Name.Length > s.Name.Length + 1 && o.Name.StartsWith(s.Name, StringComparison.Ordinal) && o.Name[s.Name.Length] == '/')).ToArray();
}
