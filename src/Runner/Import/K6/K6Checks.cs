using System.Globalization;
using System.Text.Json;
using Acornima.Ast;
using Operator = Acornima.Operator;

namespace Probe.Runner.Import.K6;

/// <summary>
/// Turns a k6 check's condition, <c>(r) =&gt; r.status === 200</c>, into Probe checks: status,
/// <c>r.timings.duration</c> as latency, the body (<c>r.json('a.b')</c>, <c>r.json().a</c>,
/// <c>JSON.parse(r.body).a</c>, <c>.length</c>, <c>includes</c>, <c>indexOf</c>), headers, <c>&amp;&amp;</c>
/// as several checks and <c>r.status === 200 || r.status === 201</c> as <c>status in (200, 201)</c>.
/// </summary>
internal sealed class K6Checks
{
    private readonly K6Report _report;

    public K6Checks(K6Report report) => _report = report;

    /// <summary>The checks of one condition function, or null (reported) when it cannot be converted.</summary>
    public IReadOnlyList<string>? Convert(Node function)
    {
        if (function is not IFunction { Params.Count: 1 } f || f.Params[0] is not Identifier param)
        {
            _report.Cannot(function, "a check's condition must be a function of the response, such as (r) => r.status === 200");
            return null;
        }

        Expression? body = f.Body switch
        {
            Expression e => e,
            FunctionBody { Body: [ReturnStatement { Argument: { } returned }] } => returned,
            _ => null,
        };
        if (body is null)
        {
            _report.Cannot(function, "a check's condition must be one expression, or a block that only returns one");
            return null;
        }

        var checks = new List<string>();
        return Condition(body, param.Name, checks) ? checks : null;
    }

    private bool Condition(Expression e, string r, List<string> checks)
    {
        switch (e)
        {
            case ParenthesizedExpression p:
                return Condition(p.Expression, r, checks);
            case LogicalExpression { Operator: Operator.LogicalAnd } both:
                return Condition(both.Left, r, checks) & Condition(both.Right, r, checks);
            case LogicalExpression { Operator: Operator.LogicalOr } either when OneOf(either, r) is { } oneOf:
                checks.Add(oneOf);
                return true;
            case BinaryExpression b when Comparison(b, r) is { } comparison:
                checks.Add(comparison);
                return true;
            case CallExpression c when Includes(c, r) is { } contains:
                checks.Add(contains);
                return true;
            case UnaryExpression { Operator: Operator.LogicalNot, Argument: CallExpression c } when Includes(c, r) is { } contains:
                checks.Add(contains.Replace(" contains ", " !contains ", StringComparison.Ordinal));
                return true;
            case not BinaryExpression when Subject(e, r) is { } subject:
                checks.Add($"{subject} exists");
                return true;
            default:
                _report.Cannot(e, "Probe checks compare the status, latency (r.timings.duration), size, body or a header with a constant; || only as one subject equal to one of several values");
                return false;
        }
    }

    /// <summary><c>r.status === 200 || r.status === 201</c> as <c>status in (200, 201)</c>.</summary>
    private string? OneOf(LogicalExpression or, string r)
    {
        var values = new List<string>();
        string? subject = null;
        var pending = new Stack<Expression>([or]);
        while (pending.TryPop(out Expression? e))
        {
            switch (e)
            {
                case LogicalExpression { Operator: Operator.LogicalOr } inner:
                    pending.Push(inner.Right);
                    pending.Push(inner.Left);
                    break;
                case ParenthesizedExpression p:
                    pending.Push(p.Expression);
                    break;
                case BinaryExpression { Operator: Operator.StrictEquality or Operator.Equality } b
                    when (Subject(b.Left, r), Value(b.Right)) is ({ } s, { } v) && (subject is null || subject == s):
                    subject = s;
                    values.Add(v);
                    break;
                default:
                    return null;
            }
        }

        return subject is null ? null : $"{subject} in ({string.Join(", ", values)})";
    }

    private string? Comparison(BinaryExpression b, string r)
    {
        if (ComparisonText(b.Operator) is not { } op)
        {
            return null;
        }

        // indexOf(x) !== -1, >= 0, > -1: contains; === -1, < 0: does not.
        if (b.Left is CallExpression { Callee: MemberExpression { Property: Identifier { Name: "indexOf" } } } call && Number(b.Right) is { } n
            && IndexOfAsIncludes(call, r) is { } contains)
        {
            bool? found = (op, n) switch
            {
                ("!=", -1) or (">=", 0) or (">", -1) => true,
                ("==", -1) or ("<", 0) => false,
                _ => null,
            };
            return found switch
            {
                true => contains,
                false => contains.Replace(" contains ", " !contains ", StringComparison.Ordinal),
                null => null,
            };
        }

        (Expression subjectSide, Expression valueSide, string oriented) = Subject(b.Left, r) is not null
            ? (b.Left, b.Right, op)
            : (b.Right, b.Left, Flip(op));
        if (Subject(subjectSide, r) is not { } subject)
        {
            return null;
        }

        if (valueSide is Identifier { Name: "undefined" } or NullLiteral && oriented is "==" or "!=")
        {
            return $"{subject} {(oriented == "==" ? "missing" : "exists")}";
        }

        if (Value(valueSide) is not { } value)
        {
            return null;
        }

        return subject == "latency" && Number(valueSide) is not null
            ? $"latency {oriented} {value}ms"
            : $"{subject} {oriented} {value}";
    }

    private static string? ComparisonText(Operator op) => op switch
    {
        Operator.StrictEquality or Operator.Equality => "==",
        Operator.StrictInequality or Operator.Inequality => "!=",
        Operator.LessThan => "<",
        Operator.LessThanOrEqual => "<=",
        Operator.GreaterThan => ">",
        Operator.GreaterThanOrEqual => ">=",
        _ => null,
    };

    private static string Flip(string op) => op switch { "<" => ">", "<=" => ">=", ">" => "<", ">=" => "<=", _ => op };

    /// <summary><c>S.includes('x')</c> as <c>S contains "x"</c>.</summary>
    private static string? Includes(CallExpression c, string r) =>
        c is { Callee: MemberExpression { Property: Identifier { Name: "includes" } } m, Arguments: [Expression arg] } && Subject(m.Object, r) is { } s && Value(arg) is { } v
            ? $"{s} contains {v}"
            : null;

    private static string? IndexOfAsIncludes(CallExpression c, string r) =>
        c is { Callee: MemberExpression m, Arguments: [Expression arg] } && Subject(m.Object, r) is { } s && Value(arg) is { } v
            ? $"{s} contains {v}"
            : null;

    /// <summary>What a check reads, in Probe's words: status, latency, size, body.a.b[0], header.name.</summary>
    internal static string? Subject(Expression e, string r)
    {
        switch (e)
        {
            case ParenthesizedExpression p:
                return Subject(p.Expression, r);
            case MemberExpression { Object: Identifier o } m when o.Name == r:
                return K6Values.PropertyName(m) switch
                {
                    "status" => "status",
                    "body" => "body",
                    _ => null,
                };
            case MemberExpression { Object: MemberExpression { Object: Identifier o, Property: Identifier { Name: "timings" } }, Property: Identifier { Name: "duration" } } when o.Name == r:
                return "latency";
            case MemberExpression { Object: MemberExpression { Object: Identifier o, Property: Identifier { Name: "headers" } } } m when o.Name == r && K6Values.PropertyName(m) is { } header:
                return $"header.{header.ToLowerInvariant()}";
            case MemberExpression { Property: Identifier { Name: "length" }, Computed: false } m when Subject(m.Object, r) is { } inner:
                return inner == "body" ? "size" : inner.StartsWith("body.", StringComparison.Ordinal) ? $"{inner}.length" : null;
            case MemberExpression m when Subject(m.Object, r) is { } inner && inner.StartsWith("body", StringComparison.Ordinal) && inner != "body":
                return Path(inner, m);
            case MemberExpression m when JsonRoot(m.Object, r):
                return Path("body", m);
            case CallExpression { Callee: MemberExpression { Object: Identifier o, Property: Identifier { Name: "json" } }, Arguments: [StringLiteral path] } when o.Name == r:
                return GjsonPath(path.Value);
            default:
                return null;
        }
    }

    /// <summary><c>r.json()</c> or <c>JSON.parse(r.body)</c>: the body as JSON.</summary>
    private static bool JsonRoot(Expression e, string r) => e switch
    {
        CallExpression { Callee: MemberExpression { Object: Identifier o, Property: Identifier { Name: "json" } }, Arguments.Count: 0 } => o.Name == r,
        CallExpression { Callee: MemberExpression { Object: Identifier { Name: "JSON" }, Property: Identifier { Name: "parse" } }, Arguments: [MemberExpression { Object: Identifier o, Property: Identifier { Name: "body" } }] } => o.Name == r,
        ParenthesizedExpression p => JsonRoot(p.Expression, r),
        _ => false,
    };

    private static string? Path(string inner, MemberExpression m) => m.Property switch
    {
        NumericLiteral n when m.Computed => $"{inner}[{n.Value.ToString(CultureInfo.InvariantCulture)}]",
        _ when K6Values.PropertyName(m) is { } name && IsName(name) => $"{inner}.{name}",
        _ => null,
    };

    /// <summary>k6's <c>r.json('results.0.id')</c> (gjson): numbers are indexes, <c>#</c> the length.</summary>
    private static string? GjsonPath(string path)
    {
        var text = new System.Text.StringBuilder("body");
        foreach (string part in path.Split('.'))
        {
            if (part == "#")
            {
                text.Append(".length");
            }
            else if (part.Length > 0 && part.All(char.IsAsciiDigit))
            {
                text.Append('[').Append(part).Append(']');
            }
            else if (IsName(part))
            {
                text.Append('.').Append(part);
            }
            else
            {
                return null;
            }
        }

        return text.ToString();
    }

    private static bool IsName(string name) => name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>A constant in Probe's check syntax: a number, a JSON string, true, false or null.</summary>
    private static string? Value(Expression e) => e switch
    {
        NumericLiteral n => n.Value.ToString(CultureInfo.InvariantCulture),
        UnaryExpression { Operator: Operator.UnaryNegation, Argument: NumericLiteral n } => (-n.Value).ToString(CultureInfo.InvariantCulture),
        StringLiteral s => JsonSerializer.Serialize(s.Value, Readable),
        BooleanLiteral b => b.Value ? "true" : "false",
        NullLiteral => "null",
        ParenthesizedExpression p => Value(p.Expression),
        _ => null,
    };

    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static double? Number(Expression e) => e switch
    {
        NumericLiteral n => n.Value,
        UnaryExpression { Operator: Operator.UnaryNegation, Argument: NumericLiteral n } => -n.Value,
        _ => null,
    };
}
