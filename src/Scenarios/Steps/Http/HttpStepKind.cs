using System.Text.Json;
using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Http;

/// <summary>The <c>http</c> step: one request, its checks, and values it extracts for later steps of a sequence.</summary>
internal sealed class HttpStepKind : StepKind
{
    public static readonly HttpStepKind Instance = new();

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public override string Name => "http";

    public override IReadOnlyList<string> Fields { get; } = ["target", "method", "path", "headers", "query", "json", "body", "redirects", "max_body", "repeat"];

    public override IReadOnlySet<SubjectKind> Subjects => StepSubjects.Http;

    public override bool InSequence => true;

    public override bool Extracts => true;

    public override string Schema => """
        {
          "type": "object",
          "properties": {
            "target": {
              "type": "string",
              "description": "A target other than the scenario's."
            },
            "method": {
              "enum": [
                "GET",
                "POST",
                "PUT",
                "PATCH",
                "DELETE",
                "HEAD",
                "OPTIONS",
                "get",
                "post",
                "put",
                "patch",
                "delete",
                "head",
                "options"
              ],
              "description": "Default GET."
            },
            "path": {
              "type": "string",
              "pattern": "^/",
              "description": "Joined to the target's URL; may use ${copy} (the virtual user's number), ${iteration} (the iteration's) and, in a sequence, ${vars.NAME}."
            },
            "headers": {
              "type": "object",
              "additionalProperties": {
                "type": [
                  "string",
                  "number",
                  "boolean"
                ]
              },
              "description": "Text may hold secrets only by reference: ${env:NAME}, resolved at start and never written to any output; names are tokens, and no value holds CR, LF or NUL."
            },
            "query": {
              "type": "object",
              "additionalProperties": {
                "type": [
                  "string",
                  "number",
                  "boolean"
                ]
              },
              "description": "Text may hold secrets only by reference: ${env:NAME}, resolved at start and never written to any output."
            },
            "json": {
              "description": "A JSON body, sent as application/json. Text may hold secrets only by reference: ${env:NAME}, resolved at start and never written to any output."
            },
            "body": {
              "type": "string",
              "description": "A text body. Text may hold secrets only by reference: ${env:NAME}, resolved at start and never written to any output."
            },
            "redirects": {
              "type": "boolean",
              "description": "Follow redirects (up to 10). Default true."
            },
            "max_body": {
              "type": "integer",
              "minimum": 0,
              "description": "Fail with reason body past this many bytes. Default 16 MiB."
            },
            "repeat": {
              "type": "integer",
              "minimum": 1,
              "maximum": 10000,
              "description": "Send the request this many times in a row; checks apply to the last answer (to exceed a rate limit, say)."
            }
          },
          "additionalProperties": false,
          "required": [
            "path"
          ],
          "description": "An HTTP request."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode http, SuiteContext suite)
    {
        if (!http.IsObjectWith("an http step", [.. Fields]))
        {
            return null;
        }

        CheckSubjects(header, http);
        string? target = Target(http, suite);
        string method = (http.String("method") ?? "GET").ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            http.Child("method").Error($"unknown method '{method}'{SuiteNode.DidYouMean(method, Methods)}; allowed: {string.Join(", ", Methods)}");
        }

        string? path = http.String("path", required: true, example: "\"/health\"");
        if (path is not null && !path.StartsWith('/'))
        {
            http.Child("path").Error($"a path starts with '/' and is joined to the target's URL, found \"{path}\"");
        }

        if (http.Has("json") && http.Has("body"))
        {
            http.Error("an http step has 'json' (sent as application/json) or 'body' (sent as text), not both");
        }

        JsonElement? json = http.Has("json") ? http.Child("json").Element.Clone() : null;
        if (json is { } j)
        {
            Secrets.Check(j.GetRawText(), http.Child("json"), builtIns: true);
        }

        string? text = http.String("body");
        if (text is not null)
        {
            Secrets.Check(text, http.Child("body"), builtIns: true);
        }

        IReadOnlyDictionary<string, string> headers = Headers(http, builtIns: true);
        IReadOnlyDictionary<string, string> query = Map(http, "query", builtIns: true);
        if (!header.InSequence && path is not null)
        {
            IEnumerable<string> texts = [path, .. headers.Values, .. query.Values, json?.GetRawText() ?? string.Empty, text ?? string.Empty];
            foreach (string variable in texts.SelectMany(Variables.Names).Distinct())
            {
                http.Error($"${{vars.{variable}}} is filled only inside a sequence, from an earlier step's extract; put this step in a \"sequence\" after the step that extracts '{variable}'");
            }
        }

        return path is null ? null : new HttpStepSpec(
            header.Name, header.Checks, header.Timeout, header.Retry, target, method, path,
            headers, query, json, text,
            http.Boolean("redirects") ?? true,
            http.Integer("max_body", 0, 1L << 34) ?? (16L << 20),
            (int)(http.Integer("repeat", 1, 10_000) ?? 1),
            header.Extract);
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding)
    {
        var http = (HttpStepSpec)spec;
        var step = new HttpStep(http, binding.Client(http.Target), binding.Options.Time, binding.Checks(http));
        return scope => step.RunAsync(scope.Variables, scope.Context.Cancellation, new Probe.Scenarios.Http.Lean.IterationKey(scope.Context.CopyId, scope.Context.Iteration, scope.Context));
    }
}
