using System.Text.Json.Nodes;
using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>
/// A k6 <c>sleep</c>'s argument as a think time: constant seconds, or a random one as a think range
/// (<c>Math.random() * A + B</c> in any order, k6-utils' <c>randomIntBetween(A, B)</c>).
/// </summary>
internal sealed class K6Sleeps(K6Report report, string? randomIntBetween)
{
    /// <summary>
    /// A sleep's seconds: a constant, or a random one as a think range — <c>Math.random() * A + B</c> (in any
    /// order, B optional) is B..A+B, k6-utils' <c>randomIntBetween(A, B)</c> is A..B. Null (reported) otherwise.
    /// </summary>
    public Sleep? Of(CallExpression call, K6Values scope)
    {
        if (call.Arguments is not [Expression seconds])
        {
            report.Cannot(call, "sleep takes one number of seconds");
            return null;
        }

        Expression e = Unwrap(seconds);
        if (e is CallExpression { Arguments: [Expression low, Expression high] } between && randomIntBetween is not null && between.Callee is Identifier { Name: var name } && name == randomIntBetween)
        {
            if (NonNegative(low, scope) is not { } a || NonNegative(high, scope) is not { } b)
            {
                return null;
            }

            report.Note(call, "randomIntBetween draws whole seconds; the suite's think range draws any time between them");
            return new Sleep(Math.Min(a, b), Math.Abs(b - a));
        }

        if (RandomSleep(e, scope, out bool isRandom) is { } spread)
        {
            return spread;
        }

        if (isRandom)
        {
            return null;
        }

        JsValue? duration = scope.Evaluate(e);
        if (duration is JsData { Node: JsonValue v } && v.TryGetValue(out double s) && s >= 0)
        {
            return new Sleep(s, 0);
        }

        if (duration is not null)
        {
            report.Cannot(call, "sleep takes a number of seconds: a constant, Math.random() * A + B or randomIntBetween(A, B)");
        }

        return null;
    }

    /// <summary><c>Math.random() * A + B</c>, <c>B + A * Math.random()</c>, <c>Math.random() * A</c> or <c>Math.random()</c>; <paramref name="isRandom"/>: it has that shape (its constants may still fail, reported).</summary>
    private Sleep? RandomSleep(Expression e, K6Values scope, out bool isRandom)
    {
        isRandom = true;
        if (e is BinaryExpression { Operator: Acornima.Operator.Addition } sum)
        {
            (Expression scaled, Expression offset) = IsScaledRandom(Unwrap(sum.Left)) ? (sum.Left, sum.Right) : (sum.Right, sum.Left);
            if (IsScaledRandom(Unwrap(scaled)))
            {
                return Scale(Unwrap(scaled), scope) is { } a && NonNegative(offset, scope) is { } b ? new Sleep(b, a) : null;
            }
        }
        else if (IsScaledRandom(e))
        {
            return Scale(e, scope) is { } a ? new Sleep(0, a) : null;
        }

        isRandom = false;
        return null;
    }

    private static bool IsScaledRandom(Expression e) =>
        IsMathRandom(e) || e is BinaryExpression { Operator: Acornima.Operator.Multiplication } m && (IsMathRandom(Unwrap(m.Left)) || IsMathRandom(Unwrap(m.Right)));

    private double? Scale(Expression e, K6Values scope) => e switch
    {
        _ when IsMathRandom(e) => 1,
        BinaryExpression m when IsMathRandom(Unwrap(m.Left)) => NonNegative(m.Right, scope),
        BinaryExpression m => NonNegative(m.Left, scope),
        _ => null,
    };

    private static bool IsMathRandom(Expression e) =>
        e is CallExpression { Callee: MemberExpression { Object: Identifier { Name: "Math" }, Property: Identifier { Name: "random" } }, Arguments.Count: 0 };

    private static Expression Unwrap(Expression e) => e is ParenthesizedExpression p ? Unwrap(p.Expression) : e;

    /// <summary>A constant number of seconds, or null (reported).</summary>
    private double? NonNegative(Expression e, K6Values scope)
    {
        JsValue? value = scope.Evaluate(e);
        if (value is JsData { Node: JsonValue v } && v.TryGetValue(out double d) && d >= 0)
        {
            return d;
        }

        if (value is not null)
        {
            report.Cannot(e, "a sleep's seconds are a constant number, not negative");
        }

        return null;
    }
}

/// <summary>A sleep in seconds: <paramref name="Least"/>, and up to <paramref name="Spread"/> more when it is random (uniformly).</summary>
internal readonly record struct Sleep(double Least, double Spread)
{
    public bool IsNone => Least <= 0 && Spread <= 0;

    public static Sleep operator +(Sleep a, Sleep b) => new(a.Least + b.Least, a.Spread + b.Spread);
}
