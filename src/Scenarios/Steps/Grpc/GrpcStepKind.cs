using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Grpc;

/// <summary>The <c>grpc</c> step: the standard health check of a gRPC server or one of its services, or a unary call to a method of a descriptor set.</summary>
internal sealed class GrpcStepKind : StepKind
{
    public static readonly GrpcStepKind Instance = new();

    public override string Name => "grpc";

    public override IReadOnlyList<string> Fields { get; } = ["target", "service", "method", "descriptor_set", "request"];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind> { SubjectKind.Latency, SubjectKind.Body };

    protected override string SubjectsText => "latency and body (the serving status, such as \"SERVING\", or a call's answer as JSON)";

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
            },
            "method": {
              "type": "string",
              "description": "Make this unary call instead of the health check: package.Service/Method, such as shop.v1.Catalog/GetItem; needs descriptor_set."
            },
            "descriptor_set": {
              "type": "string",
              "description": "The method's protobuf descriptor set, relative to the suite file: protoc --include_imports --descriptor_set_out=api.protoset api.proto."
            },
            "request": {
              "type": "object",
              "description": "The call's request message as JSON (fields by proto or JSON name); default {}."
            }
          },
          "description": "The standard gRPC health check (grpc.health.v1.Health/Check), or a unary call to a method of a descriptor set, over HTTP/2: a health check fails unless the answer is SERVING, a call unless its status is OK."
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
        GrpcCall? call = GrpcCalls.Read(grpc, suite.Folder);
        return new GrpcStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, grpc.String("service") ?? string.Empty) { Call = call };
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var grpc = (GrpcStepSpec)spec;
        var step = new GrpcStep(grpc, binding.Suite.Targets[grpc.Target ?? binding.Scenario.Target], binding.Options.Time, binding.Checks(grpc));
        binding.Owned.Add(step);
        return scope => step.RunAsync(scope.Context.Cancellation);
    }
}
