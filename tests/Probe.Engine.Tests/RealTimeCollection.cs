namespace Probe.Engine.Tests;

/// <summary>
/// Runs that drive real load on the real clock run alone: next to a CPU-heavy test on this 2-core
/// machine the generator would (rightly) report that it could not hold its schedule.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real-time runs";
}
