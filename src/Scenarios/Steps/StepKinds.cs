using Probe.Scenarios.Steps.Dns;
using Probe.Scenarios.Steps.Grpc;
using Probe.Scenarios.Steps.Http;
using Probe.Scenarios.Steps.Postgres;
using Probe.Scenarios.Steps.Rag;
using Probe.Scenarios.Steps.Sequence;
using Probe.Scenarios.Steps.Tcp;
using Probe.Scenarios.Steps.Tls;

namespace Probe.Scenarios.Steps;

/// <summary>
/// Every kind of step, in one list: adding a kind is its folder under Steps/ plus a line here. A kind
/// that ships in a package of its own (browser, in Probe.Browser) holds its place here until the package
/// registers it (<see cref="Use"/>).
/// </summary>
internal static class StepKinds
{
    private static readonly Lock Registering = new();

    private static StepKind[] _all =
    [
        HttpStepKind.Instance, RagStepKind.Instance, PostgresStepKind.Instance, TlsStepKind.Instance, TcpStepKind.Instance, DnsStepKind.Instance, GrpcStepKind.Instance,
        new ApartStepKind("browser", "Probe.Browser", "Probe.Browser.BrowserSteps.Register()"),
        SequenceStepKind.Instance,
    ];

    public static IReadOnlyList<StepKind> All => Volatile.Read(ref _all);

    /// <summary>The kinds' names, in the order error messages list them.</summary>
    public static IReadOnlyList<string> Names { get; } = _all.Select(k => k.Name).ToArray();

    /// <summary>Puts a kind shipped apart in the place its name holds; again with the same kind, nothing changes.</summary>
    /// <exception cref="ArgumentException">No kind has the name: a kind shipped apart has its place in this list.</exception>
    public static void Use(StepKind kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (Registering)
        {
            int at = Array.FindIndex(_all, k => k.Name == kind.Name);
            if (at < 0)
            {
                throw new ArgumentException($"no step kind is named '{kind.Name}'", nameof(kind));
            }

            StepKind[] next = (StepKind[])_all.Clone();
            next[at] = kind;
            Volatile.Write(ref _all, next);
        }
    }
}
