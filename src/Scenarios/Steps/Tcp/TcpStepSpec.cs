using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Tcp;

/// <summary>
/// A TCP port: connect (optionally with TLS), optionally send text and expect text in the answer, as
/// blackbox_exporter's tcp module does for SMTP, Redis or a bare port. Checks see the received text as
/// <c>body</c>, its bytes as <c>size</c> and the whole exchange as <c>latency</c>.
/// </summary>
public sealed record TcpStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, string? Host, int? Port, string? Send, string? Expect, bool Tls)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => TcpStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];
}
