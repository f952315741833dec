using Probe.Scenarios.Steps.Browser;
using Probe.Scenarios.Steps.Dns;
using Probe.Scenarios.Steps.Grpc;
using Probe.Scenarios.Steps.Http;
using Probe.Scenarios.Steps.Postgres;
using Probe.Scenarios.Steps.Rag;
using Probe.Scenarios.Steps.Sequence;
using Probe.Scenarios.Steps.Tcp;
using Probe.Scenarios.Steps.Tls;

namespace Probe.Scenarios.Steps;

/// <summary>Every kind of step, in one list: adding a kind is its folder under Steps/ plus a line here.</summary>
internal static class StepKinds
{
    public static IReadOnlyList<StepKind> All { get; } = [HttpStepKind.Instance, RagStepKind.Instance, PostgresStepKind.Instance, TlsStepKind.Instance, TcpStepKind.Instance, DnsStepKind.Instance, GrpcStepKind.Instance, BrowserStepKind.Instance, SequenceStepKind.Instance];

    /// <summary>The kinds' names, in the order error messages list them.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(k => k.Name).ToArray();
}
