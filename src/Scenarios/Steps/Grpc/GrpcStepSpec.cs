using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>
/// The standard gRPC health check (<c>grpc.health.v1.Health/Check</c>) of <see cref="Service"/> (empty:
/// the whole server) at the target, or a unary call to a method of a descriptor set, over HTTP/2: TLS
/// for an https target, prior knowledge (h2c) for http.
/// </summary>
public sealed record GrpcStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, string Service)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => GrpcStepKind.Instance;

    /// <summary>The unary call to make instead of the health check, or null.</summary>
    internal GrpcCall? Call { get; init; }

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];
}

/// <summary>A unary call read from the suite: the method's service and name, the request's bytes, and how to read the answer.</summary>
internal sealed record GrpcCall(string Service, string Method, byte[] Request, Google.Protobuf.Reflection.MessageDescriptor Response)
{
    public string FullName => $"{Service}/{Method}";
}
