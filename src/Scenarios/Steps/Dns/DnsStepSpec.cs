using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Dns;

/// <summary>
/// A DNS lookup: <see cref="Query"/> of record <see cref="Type"/> from <see cref="Resolver"/> (or the
/// system's), with the answers that must be among those returned and, with <see cref="Dnssec"/>, a
/// validated (AD) answer. Checks see the answers as <c>body</c> (a list of text) and their count as <c>size</c>.
/// </summary>
public sealed record DnsStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string Query, string Type, string? Resolver, IReadOnlyList<string> Expect, bool Dnssec)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => DnsStepKind.Instance;
}
