using System.Text.Json;
using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps.Http;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Sequence;

/// <summary>The <c>sequence</c> step: a user flow of http steps passing values from one to the next.</summary>
internal sealed class SequenceStepKind : StepKind
{
    public static readonly SequenceStepKind Instance = new();

    public override string Name => "sequence";

    public override IReadOnlyList<string> Fields { get; } = ["steps"];

    public override IReadOnlySet<SubjectKind> Subjects => StepSubjects.Http;

    public override string Schema => """
        {
          "type": "object",
          "additionalProperties": false,
          "required": [
            "steps"
          ],
          "properties": {
            "steps": {
              "type": "array",
              "minItems": 1,
              "items": {
                "$ref": "#/properties/scenarios/additionalProperties/properties/steps/items"
              },
              "description": "http steps of the user flow, in order; each is recorded as sequence/step; the first failure ends the flow."
            }
          },
          "description": "A user flow passing values between steps."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode sequence, SuiteContext suite)
    {
        if (!sequence.IsObjectWith("a sequence", [.. Fields]) || sequence.Field("steps") is not { } stepsNode)
        {
            if (sequence.Kind == JsonValueKind.Object)
            {
                sequence.Error("a sequence needs 'steps': the http steps of the flow, in order");
            }

            return null;
        }

        var steps = new List<HttpStepSpec>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (SuiteNode node in stepsNode.Items("the sequence's steps"))
        {
            if (StepReader.Read(node, suite, inSequence: true) is not HttpStepSpec step)
            {
                continue;
            }

            foreach (string variable in Variables.Referenced(step).Where(v => !known.Contains(v)))
            {
                node.Error($"${{vars.{variable}}} is not extracted by an earlier step of the sequence{SuiteNode.DidYouMean(variable, known)}; add \"extract\": {{ \"{variable}\": \"body.…\" }} to one");
            }

            known.UnionWith(step.Extract.Keys);
            steps.Add(step);
        }

        if (steps.Count == 0 && stepsNode.Kind == JsonValueKind.Array && stepsNode.Element.GetArrayLength() == 0)
        {
            stepsNode.Error("the sequence has no steps");
        }

        return new SequenceStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, steps);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        StepBinding inside = binding.Inside(spec.Name);
        BoundStep[] inner = ((SequenceStepSpec)spec).Steps.Select(inside.Bind).ToArray();
        return scope => RunAsync(inner, scope);
    }

    /// <summary>A user flow: inner steps in order, each recorded on its own; the first failure ends the flow and is its result.</summary>
    private static async ValueTask<StepResult> RunAsync(BoundStep[] steps, StepScope scope)
    {
        long bytes = 0;
        foreach (BoundStep step in steps)
        {
            StepResult result = await step.RunThenThinkAsync(scope).ConfigureAwait(false);
            bytes += result.SizeBytes;
            if (!result.IsOk)
            {
                return StepResult.Fail(result.Reason, $"{step.Name}: {result.Message}", result.StatusCode, bytes);
            }
        }

        return StepResult.Ok(sizeBytes: bytes);
    }
}
