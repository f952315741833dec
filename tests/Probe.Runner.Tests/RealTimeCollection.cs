namespace Probe.Runner.Tests;

/// <summary>
/// End-to-end runs of the real binary, with the tests on the shared PostgreSQL and the quick ones: one
/// collection (<see cref="PostgresCollection"/>), so they run one at a time and no other test's CPU
/// skews their timing. Only the alert-delivery test runs beside them: it waits on the real timers of
/// Prometheus's rules for about seven minutes and costs little CPU meanwhile. xUnit runs a collection
/// that disables parallelization only after all others have ended, so while it was one, the alert test
/// ran nearly alone and added its whole length to every CI run.
/// </summary>
public static class RealTimeCollection
{
    public const string Name = PostgresCollection.Name;
}
