using System.Globalization;
using System.Text;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Checks;

/// <summary>
/// Parses checks, one string each, in the spirit of Gatus conditions:
/// <code>
/// check      = subject ( comparison value | "contains" value | "!contains" value
///                      | "in" "(" value { "," value } ")" | "exists" | "missing" )
/// subject    = "status" | "latency" | "size"
///            | "body" { "." name | "[" digits "]" } [ ".length" ]
///            | "header." header-name
///            | "tls." ( "expires_in" | "issuer" | "subject" | "hostname_match" | "trusted" )
/// comparison = "==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
/// value      = number | duration | string | "true" | "false" | "null"
/// string     = '"' { any character but '"' and '\', or '\"', '\\' } '"'
/// </code>
/// <c>status</c> and <c>size</c> compare with numbers, <c>latency</c> and <c>tls.expires_in</c>
/// with durations (<c>500ms</c>, <c>14d</c>). Errors point at the 1-based column.
/// </summary>
public static class CheckParser
{
    private static readonly string[] Subjects = ["status", "latency", "size", "body", "header", "tls"];
    private static readonly string[] TlsFields = ["expires_in", "issuer", "subject", "hostname_match", "trusted"];

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> ("check 'TEXT': column N: …").</summary>
    public static CheckExpression Parse(string text) =>
        TryParse(text, out CheckExpression? check, out CheckParseError? error) ? check : throw new FormatException($"check '{text}': {error}");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckExpression? check, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out CheckParseError? error)
    {
        check = null;
        var s = new Cursor(text ?? string.Empty);
        s.SkipSpaces();
        if (!TrySubject(ref s, out CheckSubject? subject, out error))
        {
            return false;
        }

        s.SkipSpaces();
        int opColumn = s.Column;
        CheckOperator? op = s.TryOperator();
        if (op is null)
        {
            error = new(opColumn, $"expected ==, !=, <, <=, >, >=, contains, !contains, in, exists or missing after '{subject}', found {s.Describe()}");
            return false;
        }

        var values = new List<CheckValue>();
        if (op is CheckOperator.In)
        {
            s.SkipSpaces();
            if (!s.Take('('))
            {
                error = new(s.Column, $"expected '(' after 'in', found {s.Describe()}");
                return false;
            }

            do
            {
                s.SkipSpaces();
                if (!TryValue(ref s, subject, out CheckValue? v, out error))
                {
                    return false;
                }

                values.Add(v);
                s.SkipSpaces();
            }
            while (s.Take(','));

            if (!s.Take(')'))
            {
                error = new(s.Column, $"expected ',' or ')' in the list after 'in', found {s.Describe()}");
                return false;
            }
        }
        else if (op is not (CheckOperator.Exists or CheckOperator.Missing))
        {
            s.SkipSpaces();
            if (!TryValue(ref s, subject, out CheckValue? v, out error))
            {
                return false;
            }

            if (op is CheckOperator.Less or CheckOperator.LessOrEqual or CheckOperator.Greater or CheckOperator.GreaterOrEqual
                && v.Kind is CheckValueKind.Boolean or CheckValueKind.Null)
            {
                error = new(opColumn, $"'{Symbol(op.Value)}' orders numbers, durations and strings, not {v}");
                return false;
            }

            values.Add(v);
        }

        s.SkipSpaces();
        if (!s.AtEnd)
        {
            error = new(s.Column, $"expected the end of the check, found {s.Describe()}");
            return false;
        }

        check = new CheckExpression(text!.Trim(), subject, op.Value, values);
        return true;
    }

    private static bool TrySubject(ref Cursor s, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckSubject? subject, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out CheckParseError? error)
    {
        subject = null;
        int column = s.Column;
        string head = s.Name();
        error = null;
        switch (head)
        {
            case "status": subject = new(SubjectKind.Status, [], false); return true;
            case "latency": subject = new(SubjectKind.Latency, [], false); return true;
            case "size": subject = new(SubjectKind.Size, [], false); return true;
            case "header" or "tls":
                if (!s.Take('.'))
                {
                    error = new(s.Column, head == "header" ? "expected '.' and a header name after 'header', as in header.retry-after" : "expected '.' and a field after 'tls': expires_in, issuer, subject, hostname_match or trusted");
                    return false;
                }

                int nameColumn = s.Column;
                string name = head == "header" ? s.HeaderName() : s.Name();
                if (head == "header" && name.Length == 0)
                {
                    error = new(nameColumn, $"expected a header name after 'header.', found {s.Describe()}");
                    return false;
                }

                if (head == "tls" && !TlsFields.Contains(name))
                {
                    error = new(nameColumn, $"unknown tls field '{name}'; expected expires_in, issuer, subject, hostname_match or trusted{DidYouMean(name, TlsFields)}");
                    return false;
                }

                subject = new(head == "header" ? SubjectKind.Header : SubjectKind.Tls, [name.ToLowerInvariant()], false);
                return true;
            case "body":
                return TryBodyPath(ref s, out subject, out error);
            default:
                error = new(column, head.Length == 0
                    ? $"expected status, latency, size, body, header.NAME or tls.FIELD, found {s.Describe()}"
                    : $"unknown subject '{head}'; expected status, latency, size, body, header.NAME or tls.FIELD{(head is "json" or "jsonpath" or "data" or "response" ? "; a field of a JSON body is body.NAME, as in body.status" : DidYouMean(head, Subjects))}");
                return false;
        }
    }

    private static bool TryBodyPath(ref Cursor s, out CheckSubject? subject, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out CheckParseError? error)
    {
        subject = null;
        error = null;
        var path = new List<object>();
        while (true)
        {
            if (s.Take('.'))
            {
                int column = s.Column;
                string member = s.Name();
                if (member.Length == 0)
                {
                    error = new(column, $"expected a field name after '.', found {s.Describe()}");
                    return false;
                }

                path.Add(member);
            }
            else if (s.Take('['))
            {
                int column = s.Column;
                string digits = s.Digits();
                if (digits.Length == 0 || !s.Take(']'))
                {
                    error = new(column, $"expected an index and ']' as in [0], found {s.Describe()}");
                    return false;
                }

                path.Add(int.Parse(digits, CultureInfo.InvariantCulture));
            }
            else
            {
                break;
            }
        }

        bool length = path.Count > 0 && path[^1] is "length";
        if (length)
        {
            path.RemoveAt(path.Count - 1);
        }

        subject = new CheckSubject(SubjectKind.Body, path, length);
        return true;
    }

    private static bool TryValue(ref Cursor s, CheckSubject subject, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CheckValue? value, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out CheckParseError? error)
    {
        value = null;
        error = null;
        int column = s.Column;
        if (s.Peek is '"' or '\'')
        {
            char quote = s.Peek;
            if (!s.TryString(out string? text))
            {
                error = new(column, quote == '"' ? "this string has no closing '\"'" : "this string has no closing \"'\"");
                return false;
            }

            value = CheckValue.FromString(text);
        }
        else
        {
            string word = s.Word();
            value = word switch
            {
                "true" => CheckValue.FromBoolean(true),
                "false" => CheckValue.FromBoolean(false),
                "null" => CheckValue.Null,
                _ when double.TryParse(word, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out double n) => CheckValue.FromNumber(n),
                _ when word.Length > 0 && char.IsAsciiDigit(word[0]) && DurationText.TryParse(word, out TimeSpan d, out _) => CheckValue.FromDuration(d.Ticks * 100.0),
                _ => null,
            };
            if (value is null)
            {
                error = new(column, word.Length == 0
                    ? "expected a value (a number, a duration such as 500ms, a \"string\" or 'string', true, false or null), found the end"
                    : $"expected a value (a number, a duration such as 500ms, a \"string\" or 'string', true, false or null), found '{word}'; quote text as \"{word}\" or '{word}'");
                return false;
            }
        }

        bool wantsDuration = subject.Kind is SubjectKind.Latency || (subject.Kind is SubjectKind.Tls && subject.Path[0] is "expires_in");
        bool wantsNumber = subject.Kind is SubjectKind.Status or SubjectKind.Size || subject.Length;
        if (wantsDuration && value.Kind != CheckValueKind.Duration)
        {
            error = new(column, $"{subject} compares with a duration such as 500ms or 14d, found {value}");
            return false;
        }

        if (wantsNumber && value.Kind != CheckValueKind.Number)
        {
            error = new(column, $"{subject} compares with a number, found {value}");
            return false;
        }

        return true;
    }

    private static string Symbol(CheckOperator op) => op switch
    {
        CheckOperator.Less => "<",
        CheckOperator.LessOrEqual => "<=",
        CheckOperator.Greater => ">",
        _ => ">=",
    };

    private static string DidYouMean(string word, string[] candidates) => Engine.Text.DidYouMean.Hint(word, candidates);

    private ref struct Cursor(string text)
    {
        private readonly string _text = text;
        private int _at;

        public readonly int Column => _at + 1;

        public readonly bool AtEnd => _at >= _text.Length;

        public readonly char Peek => AtEnd ? '\0' : _text[_at];

        public void SkipSpaces()
        {
            while (!AtEnd && char.IsWhiteSpace(_text[_at]))
            {
                _at++;
            }
        }

        public bool Take(char c)
        {
            if (Peek != c)
            {
                return false;
            }

            _at++;
            return true;
        }

        public string Name() => TakeWhile(static c => char.IsLetterOrDigit(c) || c is '_' or '-' or '$');

        public string HeaderName() => TakeWhile(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

        public string Digits() => TakeWhile(char.IsAsciiDigit);

        public string Word() => TakeWhile(static c => !char.IsWhiteSpace(c) && c is not (',' or ')' or '('));

        public CheckOperator? TryOperator()
        {
            ReadOnlySpan<char> rest = _text.AsSpan(_at);
            (CheckOperator? op, int length) = rest switch
            {
                _ when rest.StartsWith("==") => (CheckOperator.Equal, 2),
                _ when rest.StartsWith("!=") => (CheckOperator.NotEqual, 2),
                _ when rest.StartsWith("<=") => (CheckOperator.LessOrEqual, 2),
                _ when rest.StartsWith(">=") => (CheckOperator.GreaterOrEqual, 2),
                _ when rest.StartsWith("<") => (CheckOperator.Less, 1),
                _ when rest.StartsWith(">") => (CheckOperator.Greater, 1),
                _ when IsWord(rest, "!contains") => (CheckOperator.NotContains, 9),
                _ when IsWord(rest, "contains") => (CheckOperator.Contains, 8),
                _ when IsWord(rest, "exists") => (CheckOperator.Exists, 6),
                _ when IsWord(rest, "missing") => (CheckOperator.Missing, 7),
                _ when IsWord(rest, "in") => (CheckOperator.In, 2),
                _ => ((CheckOperator?)null, 0),
            };
            _at += length;
            return op;
        }

        public bool TryString([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
        {
            var sb = new StringBuilder();
            char quote = _text[_at];
            int at = _at + 1;
            while (at < _text.Length)
            {
                char c = _text[at++];
                if (c == quote)
                {
                    _at = at;
                    value = sb.ToString();
                    return true;
                }

                if (c == '\\' && at < _text.Length)
                {
                    c = _text[at++];
                }

                sb.Append(c);
            }

            value = null;
            return false;
        }

        public readonly string Describe()
        {
            if (AtEnd)
            {
                return "the end";
            }

            if (char.IsWhiteSpace(_text[_at]))
            {
                return "a space";
            }

            int end = _at;
            while (end < _text.Length && !char.IsWhiteSpace(_text[end]))
            {
                end++;
            }

            return $"'{_text[_at..end]}'";
        }

        private static bool IsWord(ReadOnlySpan<char> rest, string word) =>
            rest.StartsWith(word) && (rest.Length == word.Length || !char.IsLetterOrDigit(rest[word.Length]));

        private string TakeWhile(Func<char, bool> accept)
        {
            int start = _at;
            while (!AtEnd && accept(_text[_at]))
            {
                _at++;
            }

            return _text[start.._at];
        }
    }
}

/// <summary>Where and why a check did not parse.</summary>
public sealed record CheckParseError(int Column, string Message)
{
    public override string ToString() => $"column {Column}: {Message}";
}
