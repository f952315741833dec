namespace Probe.Runner.Tests;

/// <summary>
/// Every test class of the assembly but one: end-to-end runs of the real binary, the tests on the shared
/// PostgreSQL (some stop and start it) and the quick ones, in one collection, so they run one at a time
/// and no other test's CPU skews their timing. Only the alert-delivery test runs beside them: it waits
/// on the real timers of Prometheus's rules for about seven minutes and costs little CPU meanwhile.
/// xUnit runs a collection that disables parallelization only after all others have ended, so while
/// this was one, the alert test ran nearly alone and added its whole length to every CI run.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealTimeCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "one at a time";
}
