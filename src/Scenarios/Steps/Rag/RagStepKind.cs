using Probe.Engine.Core;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>The <c>rag</c> step: replays a golden-question set against a RAG endpoint and scores the answers.</summary>
internal sealed class RagStepKind : StepKind
{
    public static readonly RagStepKind Instance = new();

    public override string Name => "rag";

    public override IReadOnlyList<string> Fields { get; } = ["target", "path", "golden", "question_field", "answer", "sources", "stream"];

    public override IReadOnlySet<SubjectKind> Subjects => StepSubjects.Http;

    public override string Schema => """
        {
          "type": "object",
          "properties": {
            "target": {
              "type": "string"
            },
            "path": {
              "type": "string",
              "description": "Default /rag/query."
            },
            "golden": {
              "type": "string",
              "description": "The golden-question set to replay (iteration i asks question i mod N)."
            },
            "question_field": {
              "type": "string",
              "description": "The request field that carries the question. Default question."
            },
            "answer": {
              "type": "string",
              "description": "Where the answer is. Default body.answer."
            },
            "sources": {
              "type": "string",
              "description": "Where the cited sources are. Default body.sources."
            },
            "stream": {
              "type": "boolean",
              "description": "The answer comes as server-sent events: time to first token, inter-token gap and tokens/s are measured. Default false."
            }
          },
          "additionalProperties": false,
          "required": [
            "golden"
          ],
          "description": "Replays golden questions against a RAG endpoint and scores the answers."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode rag, SuiteContext suite)
    {
        if (!rag.IsObjectWith("a rag step", [.. Fields]))
        {
            return null;
        }

        CheckSubjects(header, rag);
        string? target = Target(rag, suite);
        string? golden = rag.String("golden", required: true, example: "\"faq\"");
        if (golden is not null && !suite.Golden.ContainsKey(golden))
        {
            rag.Child("golden").Error($"no golden set '{golden}'{SuiteNode.DidYouMean(golden, suite.Golden.Keys)}; sets: {(suite.Golden.Count == 0 ? "none (add 'golden' to the suite)" : string.Join(", ", suite.Golden.Keys))}");
        }

        string path = rag.String("path") ?? "/rag/query";
        string answer = rag.String("answer") ?? "body.answer";
        string sources = rag.String("sources") ?? "body.sources";
        foreach ((string field, string value) in new[] { ("answer", answer), ("sources", sources) })
        {
            if (!CheckParser.TryParse($"{value} exists", out CheckExpression? parsed, out _) || parsed.Subject.Kind is not (SubjectKind.Body or SubjectKind.Header))
            {
                rag.Child(field).Error($"expected where to find the {field}, such as \"body.{field}\" or \"header.x-{field}\", found \"{value}\"");
            }
        }

        return golden is null ? null : new RagStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, path, golden, rag.String("question_field") ?? "question", answer, sources, rag.Boolean("stream") ?? false);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var rag = (RagStepSpec)spec;
        string scenario = binding.Scenario.Name;
        var step = new RagStep(rag, binding.Client(rag.Target), binding.Suite.Golden[rag.Golden], binding.Rag.For(scenario, rag.Name), binding.Options.Time, binding.Checks(rag))
        {
            Facts = binding.Options.Facts is { } facts ? elapsed => facts.TimeToFirstToken(scenario, rag.Name, elapsed) : null,
            Shard = binding.Options.Shard,
        };
        return scope => step.RunAsync(scope.Context.Iteration, scope.Context.Cancellation);
    }
}
