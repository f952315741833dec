using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Acornima;
using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>A value a k6 script computes before it sends anything: what the import can carry into a suite.</summary>
internal abstract record JsValue;

/// <summary>Plain data: a string (which may hold <c>${env:NAME}</c>), number, boolean, null, object or array.</summary>
internal sealed record JsData(JsonNode? Node) : JsValue;

/// <summary><c>JSON.stringify(x)</c>: a JSON request body.</summary>
internal sealed record JsJsonText(JsonNode? Node) : JsValue;

/// <summary>The response of an HTTP call: the step that made it.</summary>
internal sealed record JsResponse(StepDraft Step) : JsValue;

/// <summary>A function the script declares (a scenario's <c>exec</c>).</summary>
internal sealed record JsFunction(IFunction Function) : JsValue;

/// <summary>A name whose value the import could not compute (already reported where it was declared).</summary>
internal sealed record JsUnknown : JsValue;

/// <summary>A value read from an earlier response (<c>res.json('id')</c>): an extract on that step, <c>${vars.NAME}</c> where it is used.</summary>
internal sealed record JsExtracted(string Name) : JsValue
{
    public string Reference => $"${{vars.{Name}}}";
}

/// <summary>
/// Evaluates the constant part of a k6 script: literals, objects and arrays, template literals and
/// <c>+</c> concatenation (<c>BASE_URL + '/api'</c>), arithmetic, <c>__ENV.NAME</c> (as
/// <c>${env:NAME}</c>; <c>__ENV.NAME || 'default'</c> as the default, with a note), <c>JSON.stringify</c>
/// and names declared earlier. Anything else is reported as unconvertible and evaluates to null.
/// </summary>
internal sealed class K6Values
{
    private readonly K6Report _report;

    public K6Values(K6Report report, Dictionary<string, JsValue> scope)
    {
        _report = report;
        Scope = scope;
    }

    /// <summary>The names declared so far.</summary>
    public Dictionary<string, JsValue> Scope { get; }

    /// <summary>A scope for a function's body: sees every name declared so far, adds its own.</summary>
    public K6Values Inner() => new(_report, new Dictionary<string, JsValue>(Scope, StringComparer.Ordinal));

    /// <summary>The value of <paramref name="e"/>, or null (reported) when the import cannot compute it.</summary>
    /// <exception cref="InsufficientExecutionStackException">The expression nests deeper than the stack holds.</exception>
    public JsValue? Evaluate(Expression e)
    {
        RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e)
        {
            case StringLiteral s:
                return Data(s.Value);
            case NumericLiteral n:
                return new JsData(Number(n.Value));
            case BooleanLiteral b:
                return Data(b.Value);
            case NullLiteral:
                return new JsData(null);
            case ParenthesizedExpression p:
                return Evaluate(p.Expression);
            case TemplateLiteral t:
                return Template(t);
            case Identifier { Name: "undefined" }:
                return new JsData(null);
            case Identifier { Name: "__VU" } vu:
                _report.Note(vu, "__VU is ${copy}, the virtual user's number: Probe counts from 0 where k6 counts from 1");
                return Data("${copy}");
            case Identifier { Name: "__ITER" } iter:
                _report.Note(iter, "__ITER is ${iteration}: Probe numbers the scenario's iterations from 0 across all users, where k6 counts each user's own");
                return Data("${iteration}");
            case Identifier id when Scope.TryGetValue(id.Name, out JsValue? known):
                return known is JsUnknown ? null : known;
            case Identifier id:
                _report.Cannot(id, $"'{id.Name}' is not a constant the import knows (declare it with const before use, with a literal value)");
                return null;
            case MemberExpression m when Env(m) is { } name:
                return Data($"${{env:{name}}}");
            case MemberExpression m:
                return Member(m);
            case LogicalExpression l when l.Operator is Operator.LogicalOr or Operator.NullishCoalescing:
                return Fallback(l);
            case BinaryExpression b:
                return Arithmetic(b);
            case UnaryExpression { Operator: Operator.UnaryNegation } u when Evaluate(u.Argument) is JsData { Node: JsonValue v } && v.TryGetValue(out double d):
                return new JsData(Number(-d));
            case ObjectExpression o:
                return Object(o);
            case ArrayExpression a:
                return Array(a);
            case CallExpression { Callee: MemberExpression { Object: Identifier { Name: "JSON" }, Property: Identifier { Name: "stringify" } }, Arguments.Count: >= 1 } c:
                return Evaluate((Expression)c.Arguments[0]) is JsData data ? new JsJsonText(data.Node) : null;
            default:
                _report.Cannot(e, "the import computes only constants here: literals, objects, template strings, + and __ENV");
                return null;
        }
    }

    /// <summary>The text of a value, as JavaScript would concatenate it; null (reported) for non-text.</summary>
    public string? Text(Expression e) => Evaluate(e) is { } value ? Text(value, e) : null;

    /// <summary><c>__ENV.NAME</c> or <c>__ENV['NAME']</c>: the variable's name.</summary>
    internal static string? Env(MemberExpression m) => m.Object is Identifier { Name: "__ENV" } ? PropertyName(m) : null;

    /// <summary>The name of a member (<c>a.b</c>, <c>a['b']</c>), or null when it is computed.</summary>
    internal static string? PropertyName(MemberExpression m) => m.Property switch
    {
        Identifier id when !m.Computed => id.Name,
        StringLiteral s => s.Value,
        _ => null,
    };

    /// <summary>A property's key (<c>a:</c>, <c>'a':</c>, <c>1:</c>), or null when it is computed.</summary>
    internal static string? Key(Property p) => p.Key switch
    {
        Identifier id when !p.Computed => id.Name,
        StringLiteral s => s.Value,
        NumericLiteral n => n.Value.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>A number as JSON (always a double, so every reader takes it as one; 2 is still written 2).</summary>
    internal static JsonValue Number(double d) => JsonValue.Create(d);

    private static JsData Data<T>(T value) => new(JsonValue.Create(value));

    private string? Text(JsValue value, Node at)
    {
        switch (value)
        {
            case JsData { Node: null }:
                return "null";
            case JsData { Node: JsonValue v } when v.TryGetValue(out string? s):
                return s;
            case JsData { Node: JsonValue v } when v.TryGetValue(out double d):
                return d.ToString(CultureInfo.InvariantCulture);
            case JsData { Node: JsonValue v } when v.TryGetValue(out bool b):
                return b ? "true" : "false";
            case JsJsonText json:
                return json.Node?.ToJsonString() ?? "null";
            case JsExtracted extracted:
                return extracted.Reference;
            default:
                _report.Cannot(at, "expected text here (a string or number)");
                return null;
        }
    }

    private JsData? Template(TemplateLiteral t)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < t.Quasis.Count; i++)
        {
            text.Append(t.Quasis[i].Value.Cooked);
            if (i < t.Expressions.Count)
            {
                if (Text(t.Expressions[i]) is not { } part)
                {
                    return null;
                }

                text.Append(part);
            }
        }

        return Data(text.ToString());
    }

    private JsValue? Member(MemberExpression m)
    {
        // options.x or CONFIG.url: a member of a constant object.
        if (Evaluate(m.Object) is JsData { Node: JsonObject o } && PropertyName(m) is { } name)
        {
            if (o.TryGetPropertyValue(name, out JsonNode? v))
            {
                return new JsData(v?.DeepClone());
            }

            _report.Cannot(m, $"the object has no '{name}'");
        }
        else if (m.Object is not Identifier)
        {
            _report.Cannot(m, "the import reads members of constant objects only");
        }

        return null;
    }

    /// <summary><c>a || b</c>, <c>a ?? b</c>: <c>__ENV.NAME || 'default'</c> takes the default, with a note.</summary>
    private JsValue? Fallback(LogicalExpression l)
    {
        if (l.Left is MemberExpression m && Env(m) is { } name)
        {
            JsValue? fallback = Evaluate(l.Right);
            _report.Note(l, $"__ENV.{name} falls back to {Excerpt(l.Right)}: the suite uses that value; to change it, edit the suite (a target's URL: --target NAME=URL or PROBE_TARGET_NAME)");
            return fallback;
        }

        return Evaluate(l.Left) is JsData { Node: not null } known && Truthy(known.Node) ? known : Evaluate(l.Right);
    }

    private string Excerpt(Node n) => _report.Excerpt(n);

    private static bool Truthy(JsonNode node) => node is not JsonValue v
        || (v.TryGetValue(out string? s) ? s.Length > 0 : v.TryGetValue(out bool b) ? b : !v.TryGetValue(out double d) || d != 0);

    /// <summary>
    /// A binary expression. A chain (<c>a + b + c …</c>, as generated scripts build long bodies) leans left:
    /// it is folded in a loop, from its first term on, not by one nested call per term.
    /// </summary>
    private JsValue? Arithmetic(BinaryExpression b)
    {
        var chain = new Stack<BinaryExpression>();
        Expression first = b;
        while (first is BinaryExpression inner and not LogicalExpression)
        {
            chain.Push(inner);
            first = inner.Left;
        }

        JsValue? left = Evaluate(first);
        foreach (BinaryExpression step in chain)
        {
            if (left is null || Evaluate(step.Right) is not { } right)
            {
                return null;
            }

            left = Combine(step, left, right);
        }

        return left;
    }

    private JsValue? Combine(BinaryExpression b, JsValue left, JsValue right)
    {
        bool numbers = left is JsData { Node: JsonValue l } && l.TryGetValue(out double _) && right is JsData { Node: JsonValue r } && r.TryGetValue(out double _);
        if (b.Operator == Operator.Addition && !numbers)
        {
            return Text(left, b.Left) is { } a && Text(right, b.Right) is { } c ? Data(a + c) : null;
        }

        if (numbers)
        {
            double x = ((JsonValue)((JsData)left).Node!).GetValue<double>();
            double y = ((JsonValue)((JsData)right).Node!).GetValue<double>();
            double? result = b.Operator switch
            {
                Operator.Addition => x + y,
                Operator.Subtraction => x - y,
                Operator.Multiplication => x * y,
                Operator.Division when y != 0 => x / y,
                _ => null,
            };
            if (result is { } value)
            {
                return new JsData(Number(value));
            }
        }

        _report.Cannot(b, "the import computes + of text, and + - * / of numbers, only");
        return null;
    }

    private JsData? Object(ObjectExpression o)
    {
        var result = new JsonObject();
        bool ok = true;
        foreach (Node node in o.Properties)
        {
            if (node is not Property { Kind: PropertyKind.Init, Method: false } p || Key(p) is not { } key)
            {
                _report.Cannot(node, "the import reads plain properties (name: value) only");
                ok = false;
                continue;
            }

            switch (Evaluate((Expression)p.Value))
            {
                case JsData data:
                    result[key] = data.Node?.DeepClone();
                    break;
                case JsJsonText json:
                    result[key] = json.Node?.ToJsonString();
                    break;
                case JsExtracted extracted:
                    result[key] = extracted.Reference;
                    break;
                case null:
                    ok = false;
                    break;
                default:
                    _report.Cannot(p.Value, "expected a constant value");
                    ok = false;
                    break;
            }
        }

        return ok ? new JsData(result) : null;
    }

    private JsData? Array(ArrayExpression a)
    {
        var result = new JsonArray();
        foreach (Node? item in a.Elements)
        {
            if (item is null or SpreadElement)
            {
                _report.Cannot((Node?)item ?? a, "the import reads arrays of plain values only");
                return null;
            }

            if (Evaluate((Expression)item) is not JsData data)
            {
                return null;
            }

            result.Add(data.Node?.DeepClone());
        }

        return new JsData(result);
    }
}
