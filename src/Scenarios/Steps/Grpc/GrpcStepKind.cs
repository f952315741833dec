using Probe.Engine.Core;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>The <c>grpc</c> step: the standard health check of a gRPC server or one of its services.</summary>
internal sealed class GrpcStepKind : StepKind
{
    public static readonly GrpcStepKind Instance = new();

    public override string Name => "grpc";

    public override IReadOnlyList<string> Fields { get; } = ["target", "service"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Latency, SubjectKind.Body };

    protected override string SubjectsText => "latency and body (the serving status, such as \"SERVING\")";

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "properties": {
            "target": {
              "type": "string"
            },
            "service": {
              "type": "string",
              "description": "The service to ask about, such as shop.v1.Catalog; default \"\": the whole server."
            }
          },
          "description": "The standard gRPC health check (grpc.health.v1.Health/Check) over HTTP/2: fails unless the answer is SERVING."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode grpc, SuiteContext suite)
    {
        if (!grpc.IsObjectWith("a grpc step", [.. Fields]))
        {
            return null;
        }

        string? target = Target(grpc, suite);
        CheckSubjects(header, grpc);
        return new GrpcStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, grpc.String("service") ?? string.Empty);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var grpc = (GrpcStepSpec)spec;
        var step = new GrpcStep(grpc, binding.Suite.Targets[grpc.Target ?? binding.Scenario.Target], binding.Options.Time, binding.Checks(grpc));
        binding.Owned.Add(step);
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
