namespace Probe.Engine.Results;

/// <summary>One step of an on-demand iteration: its name (<c>sequence/step</c> inside flows), result and how long it took.</summary>
public readonly record struct StepOutcome(string Step, StepResult Result, TimeSpan Duration);
