namespace Probe.Runner.Synthetics.Scheduling;

/// <summary>A scenario on its schedule in one region: what the scheduler keeps running.</summary>
internal sealed record ScheduledScenario(string Region, string Scenario, ScenarioSchedule Schedule)
{
    public TimeSpan Jitter => Schedule.Spec.Jitter;

    public bool QueueOverlaps => Schedule.Spec.QueueOverlaps;

    public TimeSpan? Recheck => Schedule.Spec.Recheck;

    public override string ToString() => $"{Scenario}@{Region}";
}
