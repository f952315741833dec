namespace Probe.Runner.Tests;

/// <summary>
/// Every test class of the assembly but the alert-delivery one: end-to-end runs of the real binary, the
/// tests on the shared PostgreSQL and the quick ones, in one collection, so they run one at a time and no
/// other test's activity skews their timing. The alert-delivery test runs after them, alone
/// (<see cref="AlertDeliveryCollection"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealTimeCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "one at a time";
}
