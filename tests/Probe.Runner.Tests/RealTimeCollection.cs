namespace Probe.Runner.Tests;

/// <summary>End-to-end runs of the real binary run alone, so other tests' CPU does not skew them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real-time runs";
}
