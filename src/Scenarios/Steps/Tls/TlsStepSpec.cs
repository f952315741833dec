using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Tls;

/// <summary>
/// A TLS handshake with the target (or another host and port): certificate expiry, issuer, subject,
/// host-name match and trust, for checks such as <c>tls.expires_in &gt; 14d</c>. Without checks the
/// step fails (reason tls) on an untrusted, mismatched or expired certificate.
/// </summary>
public sealed record TlsStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, string? Host, int? Port)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => TlsStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];
}
