using Probe.Scenarios.Binding;

namespace Probe.Runner.Synthetics;

/// <summary>The parsed command line of <c>probe synthetics</c>.</summary>
internal sealed record SyntheticsRequest(
    string? Suite,
    string? Region,
    string? Regions,
    string? Store,
    string Data,
    string Listen,
    string? TokenFile,
    string[] Scenarios,
    string[] Targets,
    int? Quorum,
    IReadOnlyDictionary<string, NetworkConditions> Network,
    TimeSpan Refresh,
    TimeSpan ReadyBound,
    TimeSpan Retention,
    TimeSpan ShutdownGrace,
    SyntheticsLog.LogLevel LogLevel,
    TimeSpan? RunFor);
