namespace Probe.Engine.Thresholds;

/// <summary>A threshold's verdict: what was observed, and whether it held.</summary>
/// <param name="Scenario">The scenario it belongs to.</param>
/// <param name="Step">The step, or null for the scenario's iterations.</param>
/// <param name="Expression">The threshold as written.</param>
/// <param name="Observed">In the metric's base unit (nanoseconds, ratio, per second, count); for a window, the worst window.</param>
/// <param name="ObservedText">The observed value for people: 812ms, 1.25%, 40.2/s, 3.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Note">Why it failed when there was nothing to measure, or which window was worst.</param>
public sealed record ThresholdResult(
    string Scenario,
    string? Step,
    string Expression,
    double Observed,
    string ObservedText,
    bool Passed,
    string? Note = null)
{
    /// <summary>"scenario" or "scenario/step": where the threshold applies.</summary>
    public string Subject => Step is null ? Scenario : $"{Scenario}/{Step}";
}
