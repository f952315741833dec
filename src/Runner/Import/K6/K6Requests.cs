using System.Text.Json.Nodes;
using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>The local names the script gave k6's functions in its imports (null: not imported).</summary>
/// <summary>
/// The local names of what the script imported: k6/http, check, sleep and group, k6-utils' <c>randomIntBetween</c>
/// (random sleeps), and the custom metrics it declared from k6/metrics (their <c>add</c> calls are left out).
/// </summary>
internal sealed record K6Imports(string? Http, string? Check, string? Sleep, string? Group, string? RandomIntBetween, IReadOnlySet<string> Metrics);

/// <summary>
/// Converts the body of a k6 function (the default function, a scenario's <c>exec</c>) into suite
/// steps: each <c>http.get/post/put/patch/del/head/options/request</c> call is an http step,
/// <c>check(res, {...})</c> adds checks to the step that made <c>res</c>, <c>sleep(n)</c> is the think
/// time after the step before it, <c>group(name, fn)</c> a sequence step. Constants declared in the
/// function are evaluated; anything else (branches, loops, values read from responses) is reported.
/// </summary>
internal sealed class K6Requests
{
    private static readonly Dictionary<string, string> Methods = new(StringComparer.Ordinal)
    {
        ["get"] = "GET", ["post"] = "POST", ["put"] = "PUT", ["patch"] = "PATCH", ["del"] = "DELETE", ["head"] = "HEAD", ["options"] = "OPTIONS",
    };

    private readonly K6Report _report;
    private readonly K6Imports _imports;
    private readonly K6Sleeps _sleeps;
    private readonly K6Targets _targets;
    private readonly K6Checks _checks;
    private readonly string? _userAgent;

    public K6Requests(K6Report report, K6Imports imports, K6Targets targets, string? userAgent)
    {
        _report = report;
        _imports = imports;
        _sleeps = new K6Sleeps(report, imports.RandomIntBetween);
        _targets = targets;
        _checks = new K6Checks(report);
        _userAgent = userAgent;
    }

    /// <summary>The steps of one iteration of <paramref name="function"/>.</summary>
    public List<StepDraft> Convert(IFunction function, K6Values module)
    {
        var steps = new List<StepDraft>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (function.Body is not FunctionBody body)
        {
            _report.Cannot((Node)function, "expected a function with a body in braces");
            return steps;
        }

        Sleep leadingSleep = Statements(body.Body, module.Inner(), steps, names, inGroup: false);
        if (!leadingSleep.IsNone && steps.Count > 0)
        {
            steps[^1].Think(leadingSleep);
            _report.Note((Node)function, $"a sleep before the first request is the think time after the last one (iterations follow each other, so only the very first wait is lost)");
        }

        if (steps.Count == 0)
        {
            _report.Cannot((Node)function, "the function sends no HTTP request the import recognises");
        }
        else if (steps.Any(s => s.UsesVariables))
        {
            // Values pass between steps only inside a sequence: the function's requests become one.
            if (steps.Any(s => s.Sequence is not null))
            {
                _report.Cannot((Node)function, "a value read from one response is used by a request outside its group: pass values within one group, or use no groups in this function");
            }
            else
            {
                _report.Note((Node)function, "requests pass values read from a response to later ones (extract and ${vars.NAME}), so the function's requests are one sequence step, 'flow'");
                steps = [new StepDraft("flow", steps[0].Target, null, steps)];
            }
        }

        return steps;
    }

    /// <summary>Converts statements into <paramref name="steps"/>; returns the sleeps before the first step.</summary>
    private Sleep Statements(IEnumerable<Statement> statements, K6Values scope, List<StepDraft> steps, HashSet<string> names, bool inGroup)
    {
        Sleep leading = default;
        foreach (Statement statement in statements)
        {
            switch (statement)
            {
                case EmptyStatement:
                    break;
                case VariableDeclaration declaration:
                    foreach (VariableDeclarator d in declaration.Declarations)
                    {
                        if (d.Id is not Identifier id)
                        {
                            _report.Cannot(d, "destructuring is not converted; declare one name per value");
                            continue;
                        }

                        scope.Scope[id.Name] = d.Init is null ? new JsData(null) : Read(id.Name, d.Init, scope) ?? Value(d.Init, scope, steps, names, inGroup) ?? new JsUnknown();
                    }

                    break;
                case ExpressionStatement { Expression: AssignmentExpression { Operator: Acornima.Operator.Assignment, Left: Identifier id } assignment }:
                    if (inGroup && Read(id.Name, assignment.Right, scope) is not null)
                    {
                        // A group's scope is its own: the value would not reach the requests after the group.
                        _report.Cannot(assignment, "a value read from a response in a group is passed on only within it: declare it there with const, and use it in the group's requests");
                        scope.Scope[id.Name] = new JsUnknown();
                        break;
                    }

                    scope.Scope[id.Name] = Read(id.Name, assignment.Right, scope) ?? Value(assignment.Right, scope, steps, names, inGroup) ?? new JsUnknown();
                    break;
                case ExpressionStatement { Expression: CallExpression call } when IsCall(call, _imports.Sleep):
                    if (_sleeps.Of(call, scope) is { } sleep)
                    {
                        if (steps.Count == 0)
                        {
                            leading += sleep;
                        }
                        else
                        {
                            steps[^1].Think(sleep);
                        }
                    }

                    break;
                case ExpressionStatement { Expression: CallExpression { Callee: MemberExpression { Object: Identifier metric, Property: Identifier { Name: "add" } } } call } when _imports.Metrics.Contains(metric.Name):
                    _report.Note(call, $"'{metric.Name}.add(…)' is left out: custom metrics are not converted");
                    break;
                case ExpressionStatement { Expression: CallExpression call } when IsCall(call, _imports.Group):
                    Group(call, scope, steps, names, inGroup);
                    break;
                case ExpressionStatement { Expression: CallExpression { Callee: MemberExpression { Object: Identifier { Name: "console" } } } call }:
                    _report.Note(call, "console output is left out");
                    break;
                case ExpressionStatement { Expression: CallExpression call }:
                    _ = Value(call, scope, steps, names, inGroup);
                    break;
                case ReturnStatement { Argument: null } when statement == statements.Last():
                    break;
                default:
                    _report.Cannot(statement, "a suite step runs the same requests every iteration: branches, loops and other statements are not converted");
                    break;
            }
        }

        return leading;
    }

    /// <summary>
    /// A value read from an earlier response (<c>const id = res.json('id')</c>, <c>res.json().id</c>,
    /// <c>res.headers['Location']</c>…): the step that made it extracts it as <paramref name="name"/>, and a later
    /// request that uses it reads <c>${vars.NAME}</c>. Null when <paramref name="e"/> reads no response.
    /// </summary>
    private static JsExtracted? Read(string name, Expression e, K6Values scope)
    {
        foreach ((string variable, JsValue value) in scope.Scope)
        {
            if (value is JsResponse response && K6Checks.Subject(e, variable) is { } subject && subject is not ("latency" or "size" or "body"))
            {
                response.Step.Extract[name] = subject;
                return new JsExtracted(name);
            }
        }

        return null;
    }

    /// <summary>An expression that may send a request or check one; other values are evaluated as constants.</summary>
    private JsValue? Value(Expression e, K6Values scope, List<StepDraft> steps, HashSet<string> names, bool inGroup)
    {
        if (e is CallExpression call)
        {
            if (IsHttp(call, out string? method))
            {
                return Request(call, method, scope, names) is { } step ? Add(step, steps) : null;
            }

            if (IsCall(call, _imports.Check))
            {
                Check(call, scope, steps, names, inGroup);
                return new JsUnknown();
            }

            if (call.Callee is not MemberExpression { Object: Identifier { Name: "JSON" } })
            {
                _report.Cannot(call, call.Callee is MemberExpression { Object: Identifier http } && http.Name == _imports.Http
                    ? "http.batch, http.file and the like are not converted; write each request as its own call"
                    : "a call the import does not know; it converts http requests, check, sleep and group");
                return null;
            }
        }

        return scope.Evaluate(e);
    }

    private static JsResponse Add(StepDraft step, List<StepDraft> steps)
    {
        steps.Add(step);
        return new JsResponse(step);
    }

    private bool IsHttp(CallExpression call, out string method)
    {
        method = string.Empty;
        if (call.Callee is not MemberExpression { Object: Identifier http } m || http.Name != _imports.Http || K6Values.PropertyName(m) is not { } name)
        {
            return false;
        }

        method = name == "request" ? "request" : Methods.GetValueOrDefault(name) ?? string.Empty;
        return method.Length > 0;
    }

    private static bool IsCall(CallExpression call, string? name) => name is not null && call.Callee is Identifier id && id.Name == name;

    /// <summary>One request: <c>http.get(url, params)</c>, <c>http.post(url, body, params)</c>, <c>http.request(method, url, body, params)</c>.</summary>
    private StepDraft? Request(CallExpression call, string method, K6Values scope, HashSet<string> names)
    {
        var args = call.Arguments.Cast<Node>().ToList();
        if (method == "request")
        {
            if (args.Count == 0 || scope.Text((Expression)args[0]) is not { } verb)
            {
                return null;
            }

            method = verb.ToUpperInvariant();
            args.RemoveAt(0);
        }

        bool takesBody = method is not ("GET" or "HEAD");
        if (args.Count == 0 || args.Count > (takesBody ? 3 : 2) || args.Any(a => a is SpreadElement))
        {
            _report.Cannot(call, $"expected {(takesBody ? "(url, body, params)" : "(url, params)")}");
            return null;
        }

        if (scope.Text((Expression)args[0]) is not { } url || _targets.Resolve(url, args[0]) is not ({ } target, { } path))
        {
            return null;
        }

        var http = new JsonObject { ["method"] = method, ["path"] = path };
        Node? body = takesBody && args.Count > 1 ? args[1] : null;
        Node? parameters = args.Count > (takesBody ? 2 : 1) ? args[^1] : null;
        var headers = new JsonObject();
        if (_userAgent is not null)
        {
            headers["User-Agent"] = _userAgent;
        }

        string? name = null, timeout = null;
        if (parameters is not null && !Params(parameters, scope, headers, http, ref name, ref timeout))
        {
            return null;
        }

        if (body is not null && !Body(body, scope, http, headers))
        {
            return null;
        }

        if (headers.Count > 0)
        {
            http.Insert(2, "headers", headers);
        }

        var step = new StepDraft(Unique(name ?? DefaultName(method, path), names), target, http) { Timeout = timeout, Url = url };
        return step;
    }

    private bool Params(Node node, K6Values scope, JsonObject headers, JsonObject http, ref string? name, ref string? timeout)
    {
        if (scope.Evaluate((Expression)node) is not JsData { Node: JsonObject or null } data)
        {
            _report.Cannot(node, "expected the request's params as an object (headers, tags, timeout, redirects)");
            return false;
        }

        foreach ((string key, JsonNode? value) in data.Node as JsonObject ?? [])
        {
            switch (key)
            {
                case "headers" when value is JsonObject h:
                    foreach ((string header, JsonNode? text) in h)
                    {
                        headers[header] = text?.DeepClone();
                    }

                    break;
                case "tags" when value is JsonObject tags:
                    name = tags["name"] is JsonValue tag && tag.TryGetValue(out string? tagged) ? tagged : name;
                    break;
                case "timeout":
                    timeout = value is JsonValue v && v.TryGetValue(out double ms) ? $"{ms.ToString(System.Globalization.CultureInfo.InvariantCulture)}ms" : value?.ToString();
                    break;
                case "redirects" when value is JsonValue r && r.TryGetValue(out double hops):
                    if (hops == 0)
                    {
                        http["redirects"] = false;
                    }

                    break;
                case "responseType":
                    break;
                default:
                    _report.Cannot(node, $"request param '{key}' has no counterpart; Probe converts headers, tags.name, timeout and redirects");
                    return false;
            }
        }

        return true;
    }

    /// <summary>The body: <c>JSON.stringify(x)</c> as json, a string as text, an object as a form (as k6 sends it).</summary>
    private bool Body(Node node, K6Values scope, JsonObject http, JsonObject headers)
    {
        switch (scope.Evaluate((Expression)node))
        {
            case JsJsonText json:
                http["json"] = json.Node?.DeepClone();
                return true;
            case JsData { Node: null }:
                return true;
            case JsData { Node: JsonValue v } when v.TryGetValue(out string? text):
                http["body"] = text;
                return true;
            case JsData { Node: JsonObject form }:
                http["body"] = string.Join('&', form.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value is JsonValue fv && fv.TryGetValue(out string? s) ? s : f.Value?.ToJsonString() ?? string.Empty)}"));
                if (!headers.Any(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)))
                {
                    headers["Content-Type"] = "application/x-www-form-urlencoded";
                }

                return true;
            case null:
                return false;
            default:
                _report.Cannot(node, "expected a body: JSON.stringify(…), a string or an object of form fields");
                return false;
        }
    }

    /// <summary><c>check(res, { 'name': (r) =&gt; … })</c>: the conditions become the checks of the step that made res.</summary>
    private void Check(CallExpression call, K6Values scope, List<StepDraft> steps, HashSet<string> names, bool inGroup)
    {
        if (call.Arguments is not [Expression subject, ObjectExpression conditions, ..])
        {
            _report.Cannot(call, "expected check(response, { 'name': (r) => condition })");
            return;
        }

        if (Value(subject, scope, steps, names, inGroup) is not JsResponse { Step: var step })
        {
            _report.Cannot(subject, "a check converts only when it checks the response of an http call");
            return;
        }

        foreach (Node node in conditions.Properties)
        {
            if (node is Property { Value: Node condition } && _checks.Convert(condition) is { } converted)
            {
                step.Checks.AddRange(converted.Where(c => !step.Checks.Contains(c)));
            }
        }
    }

    /// <summary><c>group('name', function () {...})</c>: a sequence step of the group's requests.</summary>
    private void Group(CallExpression call, K6Values scope, List<StepDraft> steps, HashSet<string> names, bool inGroup)
    {
        if (inGroup)
        {
            _report.Cannot(call, "a group inside a group is not converted; a suite sequence holds requests only");
            return;
        }

        if (call.Arguments is not [Expression nameNode, IFunction { Body: FunctionBody body }] || scope.Text(nameNode) is not { } name)
        {
            _report.Cannot(call, "expected group('name', function () { … })");
            return;
        }

        StepDraft? before = steps.Count > 0 ? steps[^1] : null;
        var inner = new List<StepDraft>();
        Sleep leading = Statements(body.Body, scope.Inner(), inner, names, inGroup: true);
        if (inner.Count == 0)
        {
            _report.Note(call, $"group '{name}' sends no request and is left out");
        }
        else
        {
            steps.Add(new StepDraft(Unique(name, names), inner[0].Target, null, inner));
        }

        if (!leading.IsNone)
        {
            if (before is not null)
            {
                before.Think(leading);
            }
            else
            {
                _report.Cannot(call, "a sleep before a group's first request, with no request before the group, is not converted");
            }
        }
    }

    /// <summary>A step name from the request: <c>post-search</c> for <c>POST /api/knowledge/search</c>.</summary>
    private static string DefaultName(string method, string path)
    {
        string bare = path.Split('?')[0];
        string last = bare.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(s => !s.Contains("${", StringComparison.Ordinal)) ?? "root";
        return $"{method.ToLowerInvariant()}-{last}";
    }

    private static string Unique(string name, HashSet<string> names)
    {
        string unique = name;
        for (int n = 2; !names.Add(unique); n++)
        {
            unique = $"{name}-{n}";
        }

        return unique;
    }
}
