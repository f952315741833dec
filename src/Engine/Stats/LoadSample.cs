namespace Probe.Engine.Stats;

/// <summary>The load in one second: copies (closed model) or arrival rate per second (open model), in-flight iterations, drops.</summary>
public sealed record LoadSample(int Second, double Load, int InFlight, long Dropped);
