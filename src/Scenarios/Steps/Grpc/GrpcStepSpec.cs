using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>
/// The standard gRPC health check (<c>grpc.health.v1.Health/Check</c>) of <see cref="Service"/> (empty:
/// the whole server) at the target, over HTTP/2: TLS for an https target, prior knowledge (h2c) for http.
/// </summary>
public sealed record GrpcStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, string Service)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => GrpcStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];
}
