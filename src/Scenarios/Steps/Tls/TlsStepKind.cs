using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Tls;

/// <summary>The <c>tls</c> step: a handshake with the target (or another host and port) to read its certificate.</summary>
internal sealed class TlsStepKind : StepKind
{
    public static readonly TlsStepKind Instance = new();

    public override string Name => "tls";

    public override IReadOnlyList<string> Fields { get; } = ["target", "host", "port"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Tls, SubjectKind.Latency };

    protected override string SubjectsText => "tls.* and latency";

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
              "description": "Default: the target URL's port (443 for a plain http URL)."
            }
          },
          "description": "A TLS handshake: certificate expiry, issuer, subject, host-name match and trust, for checks such as tls.expires_in > 14d. Without checks, an expired, mismatched or untrusted certificate fails with reason tls."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode tls, SuiteContext suite)
    {
        if (!tls.IsObjectWith("a tls step", [.. Fields]))
        {
            return null;
        }

        string? target = Target(tls, suite);
        CheckSubjects(header, tls);
        return new TlsStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, tls.String("host"), (int?)tls.Integer("port", 1, 65535));
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var tls = (TlsStepSpec)spec;
        string scenario = binding.Scenario.Name;
        string name = binding.Prefix + tls.Name;
        var step = new TlsStep(tls, binding.Suite.Targets[tls.Target ?? binding.Scenario.Target], binding.Options.Time, binding.Checks(tls))
        {
            Facts = binding.Options.Facts is { } facts ? notAfter => facts.CertificateExpires(scenario, name, notAfter) : null,
        };
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
