using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Postgres;

/// <summary>
/// A PostgreSQL check: connect (pooled), run <see cref="Query"/> (default <c>SELECT 1</c>), read every
/// row; fails when the row count differs from <see cref="Rows"/>. The connection string may hold
/// secrets by reference. Checks see <c>size</c> as the number of rows and <c>latency</c> as the
/// whole step.
/// </summary>
public sealed record PostgresStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string Connection, string Query, long? Rows)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => PostgresStepKind.Instance;
}
