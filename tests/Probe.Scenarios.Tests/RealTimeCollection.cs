namespace Probe.Scenarios.Tests;

/// <summary>Runs against a real demo target on the real clock run alone, so timing checks are not skewed by other tests' CPU.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealTimeCollection
{
    public const string Name = "real-time runs";
}
