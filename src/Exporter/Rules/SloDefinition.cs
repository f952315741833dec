namespace Probe.Exporter.Rules;

/// <summary>An objective to write rules for: what share of the scenarios' check runs must be good over the window.</summary>
/// <param name="Name">The SLO's name (a label on every rule).</param>
/// <param name="Suite">The suite whose series it reads.</param>
/// <param name="Kind">"availability" (good = not failed), "latency" (good = faster than <paramref name="LatencyThreshold"/>), or "ttft" and "goodput" (good = the runner judged the LLM answer good: <c>probe_slo_events_total</c>).</param>
/// <param name="Objective">The target share of good events, such as 0.999.</param>
/// <param name="Window">The SLO window, such as 30 days (the error budget's period).</param>
/// <param name="Scenarios">The scenarios it covers.</param>
/// <param name="LatencyThreshold">For latency SLOs; must be one of the duration histogram's bucket bounds.</param>
public sealed record SloDefinition(string Name, string Suite, string Kind, double Objective, TimeSpan Window, IReadOnlyList<string> Scenarios, TimeSpan? LatencyThreshold);

/// <summary>The suite's regions and how many failing at once make the quorum alert fire.</summary>
public sealed record RegionQuorum(IReadOnlyList<string> Regions, int FailingToAlert);
