using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Probe.Scenarios.Checks;

/// <summary>Evaluates parsed checks against a response.</summary>
public static class CheckEvaluator
{
    private const int MaxShown = 80;

    /// <summary>Whether <paramref name="check"/> holds for <paramref name="input"/>, and what the subject was.</summary>
    public static CheckOutcome Evaluate(CheckExpression check, CheckInput input)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(input);
        bool passed = Holds(check, input, out Operand actual);
        return new CheckOutcome(check.Text, passed, actual.Describe());
    }

    /// <summary>
    /// Whether <paramref name="check"/> holds; when it does not, <paramref name="actual"/> is what the response had.
    /// The per-request path of every step: nothing is allocated for a check that holds on status, latency or size.
    /// </summary>
    internal static bool Holds(CheckExpression check, CheckInput input, [NotNullWhen(false)] out string? actual)
    {
        bool passed = Holds(check, input, out Operand operand);
        actual = passed ? null : operand.Describe();
        return passed;
    }

    private static bool Holds(CheckExpression check, CheckInput input, out Operand actual)
    {
        actual = Resolve(check.Subject, input);
        return check.Operator switch
        {
            CheckOperator.Exists => actual.Exists,
            CheckOperator.Missing => !actual.Exists,
            CheckOperator.Contains => actual.Exists && Contains(actual, check.Values[0]),
            CheckOperator.NotContains => actual.Exists && !Contains(actual, check.Values[0]),
            CheckOperator.In => actual.Exists && IsAnyOf(actual, check.Values),
            _ => actual.Exists && Holds(check.Operator, Compare(actual, check.Values[0])),
        };
    }

    private static bool IsAnyOf(Operand actual, IReadOnlyList<CheckValue> values)
    {
        foreach (CheckValue value in values)
        {
            if (Compare(actual, value) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads what <paramref name="subject"/> points at: its text (a string value or the raw JSON), or null when missing.</summary>
    internal static (string? Text, JsonElement? Json, double? Number) Read(CheckSubject subject, CheckInput input)
    {
        Operand o = Resolve(subject, input);
        return o.Exists ? (o.Text ?? o.Json?.GetRawText(), o.Json, o.Number) : (null, null, null);
    }

    private static bool Holds(CheckOperator op, int? comparison) => comparison is { } c && op switch
    {
        CheckOperator.Equal => c == 0,
        CheckOperator.NotEqual => c != 0,
        CheckOperator.Less => c < 0,
        CheckOperator.LessOrEqual => c <= 0,
        CheckOperator.Greater => c > 0,
        CheckOperator.GreaterOrEqual => c >= 0,
        _ => false,
    } || (op == CheckOperator.NotEqual && comparison is null);

    /// <summary>Compares the operand with a literal: negative, zero, positive; null when they are of different kinds.</summary>
    private static int? Compare(Operand actual, CheckValue value)
    {
        if (actual.Number is { } n && value.Kind is CheckValueKind.Number or CheckValueKind.Duration)
        {
            return n.CompareTo(value.Number);
        }

        if (actual.Text is { } t && value.Kind == CheckValueKind.String)
        {
            return string.CompareOrdinal(t, value.Text);
        }

        if (actual.Json is { } j)
        {
            return (j.ValueKind, value.Kind) switch
            {
                (JsonValueKind.True or JsonValueKind.False, CheckValueKind.Boolean) => j.GetBoolean() == value.Boolean ? 0 : 1,
                (JsonValueKind.Null, CheckValueKind.Null) => 0,
                _ => null,
            };
        }

        return null;
    }

    private static bool Contains(Operand actual, CheckValue value)
    {
        if (actual.Text is { } text)
        {
            return value.Text is { } needle && text.Contains(needle, StringComparison.Ordinal);
        }

        if (actual.Json is { ValueKind: JsonValueKind.Array } array)
        {
            return array.EnumerateArray().Any(e => ElementMatches(e, value));
        }

        return false;
    }

    /// <summary>An array element matches a literal when it equals it, or, for an object, when one of its fields does.</summary>
    private static bool ElementMatches(JsonElement element, CheckValue value) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.Object && ElementMatches(p.Value, value)),
        _ => Compare(Operand.FromJson(element), value) == 0,
    };

    private static Operand Resolve(CheckSubject subject, CheckInput input)
    {
        switch (subject.Kind)
        {
            case SubjectKind.Status:
                return Operand.FromNumber(input.Status, Shown.Integer);
            case SubjectKind.Latency:
                return Operand.FromNumber(input.LatencyNanoseconds, Shown.Duration);
            case SubjectKind.Size:
                return Operand.FromNumber(input.SizeBytes, Shown.Bytes);
            case SubjectKind.Header:
                return input.Header((string)subject.Path[0]) is { } h ? Operand.FromText(h) : Operand.Missing;
            case SubjectKind.Tls:
                return input.Tls is not { } tls ? Operand.Missing : (string)subject.Path[0] switch
                {
                    "expires_in" => Operand.FromNumber(tls.ExpiresIn.Ticks * 100.0, Shown.Days),
                    "issuer" => Operand.FromText(tls.Issuer),
                    "subject" => Operand.FromText(tls.Subject),
                    "trusted" => Operand.FromJsonBoolean(tls.Trusted),
                    _ => Operand.FromJsonBoolean(tls.HostnameMatch),
                };
        }

        Operand body = ResolveBody(subject, input);
        if (!subject.Length || !body.Exists)
        {
            return body;
        }

        int? length = body.Text?.Length ?? body.Json switch
        {
            { ValueKind: JsonValueKind.Array } a => a.GetArrayLength(),
            { ValueKind: JsonValueKind.Object } o => o.EnumerateObject().Count(),
            _ => null,
        };
        return length is { } n ? Operand.FromNumber(n, Shown.Integer) : Operand.Missing;
    }

    private static Operand ResolveBody(CheckSubject subject, CheckInput input)
    {
        if (input.Json is not { } root)
        {
            return subject.Path.Count == 0 && input.Body is { } text ? Operand.FromText(text) : Operand.Missing;
        }

        JsonElement at = root;
        foreach (object step in subject.Path)
        {
            if (step is int index)
            {
                if (at.ValueKind != JsonValueKind.Array || index >= at.GetArrayLength())
                {
                    return Operand.Missing;
                }

                at = at[index];
            }
            else if (at.ValueKind != JsonValueKind.Object || !at.TryGetProperty((string)step, out at))
            {
                return Operand.Missing;
            }
        }

        return Operand.FromJson(at);
    }

    /// <summary>How an operand is shown in a failure message; the text is made only when a check fails.</summary>
    private enum Shown
    {
        Missing,
        Integer,
        Duration,
        Bytes,
        Days,
        Text,
        Json,
    }

    private readonly record struct Operand(bool Exists, double? Number, string? Text, JsonElement? Json, Shown Shown)
    {
        public static Operand Missing => new(false, null, null, null, Shown.Missing);

        public static Operand FromNumber(double n, Shown shown) => new(true, n, null, null, shown);

        public static Operand FromText(string t) => new(true, null, t, null, Shown.Text);

        public static Operand FromJsonBoolean(bool b) => FromJson(JsonDocument.Parse(b ? "true" : "false").RootElement);

        public static Operand FromJson(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Number => new(true, e.GetDouble(), null, e, Shown.Json),
            JsonValueKind.String => new(true, null, e.GetString(), e, Shown.Json),
            _ => new(true, null, null, e, Shown.Json),
        };

        /// <summary>The value for a failure message: <c>503</c>, <c>120ms</c>, <c>"degraded"</c>, <c>missing</c>.</summary>
        public string Describe() => Shown switch
        {
            Shown.Missing => "missing",
            Shown.Integer => ((long)Number!.Value).ToString(CultureInfo.InvariantCulture),
            Shown.Duration => Probe.Engine.Timing.DurationText.FormatNanoseconds((long)Number!.Value),
            Shown.Bytes => $"{(long)Number!.Value} bytes",
            Shown.Days => TimeSpan.FromTicks((long)(Number!.Value / 100)).TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + "d",
            Shown.Text => Quote(Text!),
            _ => Json!.Value.ValueKind switch
            {
                JsonValueKind.Number => Json.Value.GetRawText(),
                JsonValueKind.String => Quote(Text!),
                _ => Shorten(Json.Value.GetRawText()),
            },
        };

        private static string Quote(string t) => $"\"{Shorten(t)}\"";

        private static string Shorten(string t) => t.Length <= MaxShown ? t : string.Concat(t.AsSpan(0, MaxShown), "…");
    }
}

/// <summary>A check's result: whether it held and what the response had.</summary>
/// <param name="Check">The check as written.</param>
/// <param name="Passed">Whether it held.</param>
/// <param name="Actual">The subject's value in the response, for the failure message: <c>503</c>, <c>"degraded"</c>, <c>missing</c>.</param>
public sealed record CheckOutcome(string Check, bool Passed, string Actual)
{
    /// <summary>A failure message for reports: <c>check 'status == 200' failed: status was 503</c>.</summary>
    public string Message(CheckExpression expression) => FailureMessage(expression, Actual);

    /// <summary>The failure message of <paramref name="expression"/> when its subject was <paramref name="actual"/>.</summary>
    internal static string FailureMessage(CheckExpression expression, string actual) => $"check '{expression.Text}' failed: {expression.Subject} was {actual}";
}
