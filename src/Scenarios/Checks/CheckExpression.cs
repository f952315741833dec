namespace Probe.Scenarios.Checks;

/// <summary>A parsed check: an operand, and an operator with the value it compares against.</summary>
/// <param name="Text">The check as written.</param>
/// <param name="Subject">What the check reads from the response.</param>
/// <param name="Operator">How it compares.</param>
/// <param name="Values">The literal(s) on the right: one for comparisons and contains, several for in, none for exists.</param>
public sealed record CheckExpression(string Text, CheckSubject Subject, CheckOperator Operator, IReadOnlyList<CheckValue> Values);

/// <summary>The left side of a check: <c>status</c>, <c>latency</c>, <c>size</c>, <c>body…</c>, <c>header.NAME</c>, <c>tls.FIELD</c>.</summary>
/// <param name="Kind">Which part of the response.</param>
/// <param name="Path">For body: the members and indexes after <c>body</c>; for header and tls: the name.</param>
/// <param name="Length">Whether <c>.length</c> ends the operand.</param>
public sealed record CheckSubject(SubjectKind Kind, IReadOnlyList<object> Path, bool Length)
{
    /// <summary>The operand as written back: <c>body.results[0].score</c>.</summary>
    public override string ToString()
    {
        string head = Kind switch
        {
            SubjectKind.Status => "status",
            SubjectKind.Latency => "latency",
            SubjectKind.Size => "size",
            SubjectKind.Header => $"header.{Path[0]}",
            SubjectKind.Tls => $"tls.{Path[0]}",
            _ => "body" + string.Concat(Path.Select(p => p is int i ? $"[{i}]" : $".{p}")),
        };
        return Length ? head + ".length" : head;
    }
}

public enum SubjectKind
{
    Status,
    Latency,
    Size,
    Body,
    Header,
    Tls,
}

public enum CheckOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Contains,
    NotContains,
    In,
    Exists,
    Missing,
}

/// <summary>A literal in a check: a number, a duration (kept in nanoseconds), a string, true/false or null.</summary>
public sealed record CheckValue(CheckValueKind Kind, double Number, string? Text, bool Boolean)
{
    public static CheckValue FromNumber(double n) => new(CheckValueKind.Number, n, null, false);

    public static CheckValue FromDuration(double nanoseconds) => new(CheckValueKind.Duration, nanoseconds, null, false);

    public static CheckValue FromString(string s) => new(CheckValueKind.String, 0, s, false);

    public static CheckValue FromBoolean(bool b) => new(CheckValueKind.Boolean, 0, null, b);

    public static CheckValue Null { get; } = new(CheckValueKind.Null, 0, null, false);

    public override string ToString() => Kind switch
    {
        CheckValueKind.Number => Number.ToString(System.Globalization.CultureInfo.InvariantCulture),
        CheckValueKind.Duration => Probe.Engine.Timing.DurationText.Format(TimeSpan.FromTicks((long)(Number / 100))),
        CheckValueKind.String => $"\"{Text}\"",
        CheckValueKind.Boolean => Boolean ? "true" : "false",
        _ => "null",
    };
}

public enum CheckValueKind
{
    Number,
    Duration,
    String,
    Boolean,
    Null,
}
