using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Tcp;

/// <summary>The <c>tcp</c> step: connect to a port (the target's, or another host and port), optionally over TLS, send and expect text.</summary>
internal sealed class TcpStepKind : StepKind
{
    public static readonly TcpStepKind Instance = new();

    public override string Name => "tcp";

    public override IReadOnlyList<string> Fields { get; } = ["target", "host", "port", "send", "expect", "tls"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Latency, SubjectKind.Size, SubjectKind.Body };

    protected override string SubjectsText => "latency, size and body (the text received)";

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "target": {
              "type": "string"
            },
            "host": {
              "type": "string",
              "description": "Default: the target URL's host."
            },
            "port": {
              "type": "integer",
              "minimum": 1,
              "maximum": 65535,
              "description": "Default: the target URL's port."
            },
            "send": {
              "type": "string",
              "description": "Text to send once connected, such as \"PING\\r\\n\"."
            },
            "expect": {
              "type": "string",
              "description": "Text the answer must contain, such as \"+PONG\"; read until it comes, the connection closes, 64 KiB arrive or the timeout."
            },
            "tls": {
              "type": "boolean",
              "description": "Connect over TLS (the certificate must be valid unless the target is insecure_tls)."
            }
          },
          "description": "A TCP port: connect, optionally over TLS, send and expect text (phases dns, connect, tls, ttfb, transfer)."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode tcp, SuiteContext suite)
    {
        if (!tcp.IsObjectWith("a tcp step", [.. Fields]))
        {
            return null;
        }

        string? target = Target(tcp, suite);
        CheckSubjects(header, tcp);
        string? send = tcp.String("send");
        string? expect = tcp.String("expect");
        if (send is not null)
        {
            Secrets.Check(send, tcp.Child("send"));
        }

        if (expect is { Length: 0 })
        {
            tcp.Child("expect").Error("expect is empty; give the text the answer must contain, such as \"220\"");
        }

        return new TcpStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, tcp.String("host"), (int?)tcp.Integer("port", 1, 65535), send, expect, tcp.Boolean("tls") ?? false);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var tcp = (TcpStepSpec)spec;
        TargetSpec target = binding.Suite.Targets[tcp.Target ?? binding.Scenario.Target];
        var step = new TcpStep(tcp, target, binding.Options.Time, binding.Checks(tcp));
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
