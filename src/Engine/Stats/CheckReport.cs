namespace Probe.Engine.Stats;

/// <summary>One check's tally over a run: how often it was evaluated, how often it failed, and what the response had the last time it failed.</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Step">The step the check belongs to.</param>
/// <param name="Check">The check as written, such as <c>status == 200</c>.</param>
/// <param name="Evaluated">How often it was evaluated.</param>
/// <param name="Failed">How often it did not hold.</param>
/// <param name="LastFailedActual">What the response had the last time it failed, or null.</param>
public sealed record CheckReport(string Scenario, string Step, string Check, long Evaluated, long Failed, string? LastFailedActual);
