using System.Text.Json;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Suite;

/// <summary>Reads a scenario's steps: each has a name, exactly one kind (http, rag), checks, a timeout and retries.</summary>
internal static class StepReader
{
    internal static readonly string[] Fields = ["name", "http", "rag", "postgres", "tls", "sequence", "checks", "timeout", "retry", "extract"];
    private static readonly string[] Kinds = ["http", "rag", "postgres", "tls", "sequence"];
    internal static readonly string[] HttpFields = ["target", "method", "path", "headers", "query", "json", "body", "redirects", "max_body", "repeat"];
    internal static readonly string[] TlsFields = ["target", "host", "port"];
    internal static readonly string[] PostgresFields = ["connection", "query", "rows"];
    internal static readonly string[] RagFields = ["target", "path", "golden", "question_field", "answer", "sources", "stream"];
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<StepSpec> ReadAll(SuiteNode scenario, SuiteContext suite)
    {
        var steps = new List<StepSpec>();
        if (scenario.Field("steps") is not { } node)
        {
            scenario.Error("'steps' is required: a list of steps, for example \"steps\": [{ \"name\": \"health\", \"http\": { \"path\": \"/health\" }, \"checks\": [\"status == 200\"] }]");
            return steps;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SuiteNode step in node.Items("steps"))
        {
            if (Read(step, suite) is { } spec)
            {
                if (!names.Add(spec.Name))
                {
                    step.Child("name").Error($"another step is already named '{spec.Name}'; step names must be unique in a scenario");
                }

                steps.Add(spec);
            }
        }

        if (node.Kind == JsonValueKind.Array && node.Element.GetArrayLength() == 0)
        {
            node.Error("the scenario has no steps; add one such as { \"name\": \"health\", \"http\": { \"path\": \"/health\" } }");
        }

        return steps;
    }

    private static StepSpec? Read(SuiteNode step, SuiteContext suite, bool inSequence = false)
    {
        if (!step.IsObjectWith("a step", Fields))
        {
            return null;
        }

        string? name = step.String("name", required: true, example: "\"health\"");
        string[] kinds = Kinds.Where(step.Has).ToArray();
        if (kinds.Length != 1)
        {
            step.Error($"a step has exactly one of {string.Join(", ", Kinds)}; found {(kinds.Length == 0 ? "none" : string.Join(" and ", kinds))}");
            return null;
        }

        IReadOnlyList<CheckExpression> checks = Checks(step);
        TimeSpan timeout = step.Duration("timeout", min: TimeSpan.FromMilliseconds(1)) ?? DefaultTimeout;
        RetrySpec? retry = Retry(step);
        SuiteNode body = step.Child(kinds[0]);
        if (name is null)
        {
            return null;
        }

        IReadOnlyDictionary<string, CheckSubject> extract = Extract(step);
        if (extract.Count > 0 && kinds[0] != "http")
        {
            step.Child("extract").Error("only http steps extract values");
        }

        if (inSequence && kinds[0] != "http")
        {
            body.Error($"a sequence holds http steps; found {kinds[0]}");
            return null;
        }

        return kinds[0] switch
        {
            "http" => Http(name, body, checks, timeout, retry, suite) is { } http ? http with { Extract = extract } : null,
            "rag" => Rag(name, body, checks, timeout, retry, suite),
            "sequence" => Sequence(name, body, checks, timeout, retry, suite),
            "tls" => Tls(name, body, checks, timeout, retry, suite),
            _ => Postgres(name, body, checks, timeout, retry),
        };
    }

    private static SequenceStepSpec? Sequence(string name, SuiteNode sequence, IReadOnlyList<CheckExpression> checks, TimeSpan timeout, RetrySpec? retry, SuiteContext suite)
    {
        if (!sequence.IsObjectWith("a sequence", "steps") || sequence.Field("steps") is not { } stepsNode)
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
            if (Read(node, suite, inSequence: true) is not HttpStepSpec step)
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

        return new SequenceStepSpec(name, checks, timeout, retry, steps);
    }

    private static TlsStepSpec? Tls(string name, SuiteNode tls, IReadOnlyList<CheckExpression> checks, TimeSpan timeout, RetrySpec? retry, SuiteContext suite)
    {
        if (!tls.IsObjectWith("a tls step", TlsFields))
        {
            return null;
        }

        string? target = Target(tls, suite);
        foreach (CheckExpression check in checks.Where(c => c.Subject.Kind is not (SubjectKind.Tls or SubjectKind.Latency)))
        {
            tls.Error($"a tls step checks tls.* and latency only; '{check.Text}' reads {check.Subject}");
        }

        return new TlsStepSpec(name, checks, timeout, retry, target, tls.String("host"), (int?)tls.Integer("port", 1, 65535));
    }

    private static IReadOnlyDictionary<string, CheckSubject> Extract(SuiteNode step)
    {
        var extract = new Dictionary<string, CheckSubject>(StringComparer.Ordinal);
        if (step.Field("extract") is not { } node || !node.IsObjectWith("the extracted values", node.Members().Select(m => m.Name).ToArray()))
        {
            return extract;
        }

        foreach ((string variable, SuiteNode from) in node.Members())
        {
            string? path = from.Kind == JsonValueKind.String ? from.Element.GetString() : null;
            if (path is null || !CheckParser.TryParse($"{path} exists", out CheckExpression? parsed, out _) || parsed.Subject.Kind is not (SubjectKind.Body or SubjectKind.Header or SubjectKind.Status))
            {
                from.Error($"expected where to take '{variable}' from, such as \"body.id\" or \"header.location\", found {SuiteNode.Describe(from.Element)}");
                continue;
            }

            extract[variable] = parsed.Subject;
        }

        return extract;
    }

    private static PostgresStepSpec? Postgres(string name, SuiteNode pg, IReadOnlyList<CheckExpression> checks, TimeSpan timeout, RetrySpec? retry)
    {
        if (!pg.IsObjectWith("a postgres step", PostgresFields))
        {
            return null;
        }

        string? connection = pg.String("connection", required: true, example: "\"Host=127.0.0.1;Username=probe;Password=${env:PG_PASSWORD};Database=app\"");
        if (connection is not null)
        {
            string resolved = Secrets.Check(connection, pg.Child("connection"));
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(resolved);
            }
            catch (ArgumentException e)
            {
                pg.Child("connection").Error($"not a PostgreSQL connection string ({e.Message}); write it as Host=…;Port=5432;Username=…;Database=…");
            }
        }

        foreach (CheckExpression check in checks.Where(c => c.Subject.Kind is not (SubjectKind.Latency or SubjectKind.Size)))
        {
            pg.Error($"a postgres step checks latency and size (the number of rows) only; '{check.Text}' reads {check.Subject}");
        }

        return connection is null ? null : new PostgresStepSpec(name, checks, timeout, retry, connection, pg.String("query") ?? "SELECT 1", pg.Integer("rows", 0, long.MaxValue));
    }

    private static HttpStepSpec? Http(string name, SuiteNode http, IReadOnlyList<CheckExpression> checks, TimeSpan timeout, RetrySpec? retry, SuiteContext suite)
    {
        if (!http.IsObjectWith("an http step", HttpFields))
        {
            return null;
        }

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
            Secrets.Check(j.GetRawText(), http.Child("json"));
        }

        string? text = http.String("body");
        if (text is not null)
        {
            Secrets.Check(text, http.Child("body"));
        }

        return path is null ? null : new HttpStepSpec(
            name, checks, timeout, retry, target, method, path,
            Map(http, "headers"), Map(http, "query"), json, text,
            http.Boolean("redirects") ?? true,
            http.Integer("max_body", 0, 1L << 34) ?? (16L << 20),
            (int)(http.Integer("repeat", 1, 10_000) ?? 1),
            new Dictionary<string, CheckSubject>());
    }

    private static RagStepSpec? Rag(string name, SuiteNode rag, IReadOnlyList<CheckExpression> checks, TimeSpan timeout, RetrySpec? retry, SuiteContext suite)
    {
        if (!rag.IsObjectWith("a rag step", RagFields))
        {
            return null;
        }

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

        return golden is null ? null : new RagStepSpec(name, checks, timeout, retry, target, path, golden, rag.String("question_field") ?? "question", answer, sources, rag.Boolean("stream") ?? false);
    }

    private static string? Target(SuiteNode kind, SuiteContext suite)
    {
        string? target = kind.String("target");
        if (target is not null && !suite.DeclaredTargets.Contains(target))
        {
            kind.Child("target").Error($"unknown target '{target}'{SuiteNode.DidYouMean(target, suite.DeclaredTargets)}; targets: {string.Join(", ", suite.DeclaredTargets)}");
        }

        return target;
    }

    private static IReadOnlyList<CheckExpression> Checks(SuiteNode step)
    {
        var checks = new List<CheckExpression>();
        if (step.Field("checks") is not { } node)
        {
            return checks;
        }

        foreach (SuiteNode item in node.Items("checks"))
        {
            if (item.Kind != JsonValueKind.String)
            {
                item.Error($"expected a check such as \"status == 200\", found {SuiteNode.Describe(item.Element)}");
            }
            else if (!CheckParser.TryParse(item.Element.GetString(), out CheckExpression? check, out CheckParseError? error))
            {
                item.Error($"check \"{item.Element.GetString()}\": {error}");
            }
            else
            {
                checks.Add(check);
            }
        }

        return checks;
    }

    private static RetrySpec? Retry(SuiteNode step)
    {
        if (step.Field("retry") is not { } node || !node.IsObjectWith("a retry", "attempts", "backoff"))
        {
            return null;
        }

        long? attempts = node.Integer("attempts", 1, 10, required: true);
        TimeSpan backoff = node.Duration("backoff") ?? TimeSpan.FromMilliseconds(200);
        return attempts is { } a ? new RetrySpec((int)a, backoff) : null;
    }

    private static IReadOnlyDictionary<string, string> Map(SuiteNode http, string field)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (http.Field(field) is not { } node)
        {
            return map;
        }

        if (node.Kind != JsonValueKind.Object)
        {
            node.Error($"expected an object of names to text values, found {SuiteNode.Describe(node.Element)}");
            return map;
        }

        foreach ((string name, SuiteNode value) in node.Members())
        {
            string? text = value.Kind switch
            {
                JsonValueKind.String => value.Element.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.Element.GetRawText(),
                _ => null,
            };
            if (text is null)
            {
                value.Error($"expected text, found {SuiteNode.Describe(value.Element)}");
                continue;
            }

            Secrets.Check(text, value);
            map[name] = text;
        }

        return map;
    }
}
