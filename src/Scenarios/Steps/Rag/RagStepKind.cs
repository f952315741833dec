using System.Text.Json;
using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps.Rag.Apis;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>The <c>rag</c> step: replays a golden-question set against a RAG or LLM endpoint and scores the answers.</summary>
internal sealed class RagStepKind : StepKind
{
    public static readonly RagStepKind Instance = new();

    private static readonly string[] ModelApis = ["openai-chat", "openai-completions", "anthropic-messages"];

    public override string Name => "rag";

    public override IReadOnlyList<string> Fields { get; } =
    [
        "target", "path", "golden", "api", "model", "system", "max_tokens", "temperature", "headers", "stream", "max_body",
        "question_field", "answer", "sources", "body", "token", "output_tokens", "input_tokens",
    ];

    public override IReadOnlySet<SubjectKind> Subjects => StepSubjects.Http;

    public override string Schema => """
        {
          "type": "object",
          "properties": {
            "target": {
              "type": "string"
            },
            "golden": {
              "type": "string",
              "description": "The golden-question set to replay (iteration i asks question i mod N)."
            },
            "api": {
              "enum": [
                "question",
                "openai-chat",
                "openai-completions",
                "anthropic-messages",
                "template"
              ],
              "description": "The API spoken. question: {\"question\": …} to a RAG endpoint (the default); openai-chat: /v1/chat/completions; openai-completions: /v1/completions; anthropic-messages: /v1/messages; template: the body template in 'body'."
            },
            "path": {
              "type": "string",
              "description": "Default by api: /rag/query, /v1/chat/completions, /v1/completions, /v1/messages; required for template."
            },
            "model": {
              "type": "string",
              "description": "openai-* and anthropic-messages: sent as model."
            },
            "system": {
              "type": "string",
              "description": "openai-* and anthropic-messages: a system prompt before the question."
            },
            "max_tokens": {
              "type": "integer",
              "minimum": 1,
              "description": "openai-* and anthropic-messages: sent as max_tokens (anthropic-messages: 1024 unless set)."
            },
            "temperature": {
              "type": "number",
              "minimum": 0,
              "maximum": 2,
              "description": "openai-* and anthropic-messages: sent as temperature."
            },
            "headers": {
              "type": "object",
              "additionalProperties": {
                "type": "string"
              },
              "description": "Sent with every question; secrets by reference: \"Authorization\": \"Bearer ${env:OPENAI_API_KEY}\"."
            },
            "max_body": {
              "type": "integer",
              "minimum": 0,
              "description": "Fail with reason body past this many bytes of an answer, whole or streamed (an endpoint that never stops). Default 16 MiB."
            },
            "stream": {
              "type": "boolean",
              "description": "Ask for and read the answer as server-sent events: time to first token, inter-token latency and time per output token are measured. Default false."
            },
            "question_field": {
              "type": "string",
              "description": "question: the request field that carries the question. Default question."
            },
            "answer": {
              "type": "string",
              "description": "Where a whole answer's text is. Default by api: body.answer, body.choices[0].message.content, body.choices[0].text, every text block of body.content."
            },
            "sources": {
              "type": "string",
              "description": "Where the cited sources are. Default body.sources (question and template)."
            },
            "body": {
              "type": "object",
              "description": "template: the request body, with ${question} inside its strings."
            },
            "token": {
              "type": "string",
              "description": "template, streamed: where each event's piece of the answer is, such as body.delta.text. Default: the event's token, content, text or delta."
            },
            "output_tokens": {
              "type": "string",
              "description": "template: where the output token count is, in the answer or an event. Default: a usage object's completion_tokens or output_tokens."
            },
            "input_tokens": {
              "type": "string",
              "description": "template: where the input token count is. Default: a usage object's prompt_tokens or input_tokens."
            }
          },
          "additionalProperties": false,
          "required": [
            "golden"
          ],
          "description": "Replays golden questions against a RAG or LLM endpoint (plain, OpenAI-compatible, Anthropic or any JSON API) and scores the answers; streamed answers give token timings."
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

        string api = rag.String("api") ?? "question";
        if (!LlmApi.Names.Contains(api))
        {
            rag.Child("api").Error($"unknown api '{api}'{SuiteNode.DidYouMean(api, LlmApi.Names)}; allowed: {string.Join(", ", LlmApi.Names)}");
            api = "question";
        }

        OnlyFor(rag, api, ["model", "system", "max_tokens", "temperature"], ModelApis);
        OnlyFor(rag, api, ["question_field"], ["question"]);
        OnlyFor(rag, api, ["body", "token", "output_tokens", "input_tokens"], ["template"]);
        string? template = Template(rag, api);
        string path = rag.String("path", required: api == "template", example: "\"/api/ask\"") ?? LlmApi.DefaultPath(api);
        string answer = rag.String("answer") ?? LlmApi.DefaultAnswer(api);
        string sources = rag.String("sources") ?? "body.sources";
        foreach (string field in new[] { "answer", "sources", "token", "output_tokens", "input_tokens" })
        {
            string? value = field switch { "answer" => answer, "sources" => sources, _ => rag.String(field) };
            if (value is not null && (!CheckParser.TryParse($"{value} exists", out CheckExpression? parsed, out _) || parsed.Subject.Kind is not (SubjectKind.Body or SubjectKind.Header)))
            {
                rag.Child(field).Error($"expected where to find the {field.Replace('_', ' ')}, such as \"body.{field}\" or \"header.x-{field.Replace('_', '-')}\", found \"{value}\"");
            }
        }

        IReadOnlyDictionary<string, string> headers = Headers(rag); // secrets checked there, once

        var llm = new LlmOptions(
            api,
            rag.String("model"),
            (int?)rag.Integer("max_tokens", 1, 10_000_000),
            rag.Number("temperature", 0, 2),
            rag.String("system"),
            template,
            rag.String("token"),
            rag.String("output_tokens"),
            rag.String("input_tokens"));
        return golden is null ? null : new RagStepSpec(header.Name, header.Checks, header.Timeout, header.Retry, target, path, golden, rag.String("question_field") ?? "question", answer, sources, rag.Boolean("stream") ?? false)
        {
            Llm = llm,
            Headers = headers,
            MaxBodyBytes = rag.Integer("max_body", 0, 1L << 34) ?? (16L << 20),
        };
    }

    /// <summary>The template body as JSON text; it must put <c>${question}</c> inside a string.</summary>
    private static string? Template(SuiteNode rag, string api)
    {
        if (api != "template")
        {
            return null;
        }

        if (!rag.Has("body"))
        {
            rag.Error("\"api\": \"template\" sends the step's 'body': add it, such as \"body\": { \"input\": \"${question}\", \"stream\": true }");
            return null;
        }

        SuiteNode body = rag.Child("body");
        string text = body.Element.GetRawText();
        if (body.Kind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            body.Error($"expected the request body as a JSON object, found {SuiteNode.Describe(body.Element)}");
        }
        else if (!text.Contains(TemplateApi.Placeholder, StringComparison.Ordinal))
        {
            body.Error($"the template never asks the question: put \"{TemplateApi.Placeholder}\" in one of its strings, such as \"input\": \"{TemplateApi.Placeholder}\"");
        }

        Secrets.Check(text.Replace(TemplateApi.Placeholder, string.Empty, StringComparison.Ordinal), body);
        return text;
    }

    private static void OnlyFor(SuiteNode rag, string api, string[] fields, string[] apis)
    {
        foreach (string field in fields.Where(f => rag.Has(f) && !apis.Contains(api)))
        {
            rag.Child(field).Error($"'{field}' applies to \"api\": {string.Join(" or ", apis.Select(a => $"\"{a}\""))}; this step's api is \"{api}\"");
        }
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var rag = (RagStepSpec)spec;
        string scenario = binding.Scenario.Name;
        var step = new RagStep(rag, binding.Client(rag.Target), binding.Suite.Golden[rag.Golden], binding.Rag.For(scenario, rag.Name), binding.Options.Time, binding.Checks(rag))
        {
            Facts = binding.Options.Facts is { } facts ? tokens => facts.Llm(scenario, rag.Name, tokens) : null,
            Shard = binding.Options.Shard,
        };
        return scope => step.RunAsync(scope.Context.Iteration, scope.Context.Cancellation);
    }
}
