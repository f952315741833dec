using System.Globalization;
using Probe.Engine.Timing;

namespace Probe.Engine.Thresholds;

/// <summary>
/// Parses thresholds. The grammar (spaces between tokens are optional unless two words meet):
/// <code>
/// threshold  = metric comparison value [ "over" duration ]
/// metric     = [ "latency." | "service." ] stat | "error_rate" | "rps" | "dropped" | "count" | "failures"
/// stat       = "p" number | "mean" | "min" | "max"          ; number from 0 to 100, e.g. p95, p99.9
/// comparison = "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "==" | "!="
/// value      = duration                                      ; for stats: 250ms, 1s, 1.5s
///            | number "%" | number                           ; for error_rate: 1% or 0.01
///            | number [ "/s" ]                               ; for rps
///            | digits                                        ; for dropped, count, failures
/// duration   = see DurationText: number unit { number unit }, unit = ns|us|µs|ms|s|m|h|d
/// </code>
/// Errors name the 1-based column and what was expected there.
/// </summary>
public static class ThresholdParser
{
    private static readonly string[] MetricNames = ["p95", "p99", "mean", "min", "max", "error_rate", "rps", "dropped", "count", "failures"];

    /// <summary>Parses <paramref name="text"/> or throws.</summary>
    /// <exception cref="FormatException">Not a threshold: "threshold 'TEXT': column N: what was expected, what was found".</exception>
    public static Threshold Parse(string text)
    {
        if (TryParse(text, out Threshold? threshold, out ThresholdParseError? error))
        {
            return threshold;
        }

        throw new FormatException($"threshold '{text}': {error}");
    }

    /// <summary>Parses <paramref name="text"/>, or gives the column and message of the first error.</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Threshold? threshold, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        threshold = null;
        var scanner = new Scanner(text ?? string.Empty);

        scanner.SkipSpaces();
        int metricColumn = scanner.Column;
        string metricWord = scanner.Word();
        if (metricWord.Length == 0)
        {
            error = new(metricColumn, $"expected a metric (p95, mean, max, error_rate, rps, dropped…), found {scanner.Describe()}");
            return false;
        }

        if (!TryMetric(metricWord, metricColumn, out ThresholdMetric metric, out double percentile, out bool service, out error))
        {
            return false;
        }

        scanner.SkipSpaces();
        int comparisonColumn = scanner.Column;
        if (!scanner.TryComparison(out Comparison comparison))
        {
            error = new(comparisonColumn, $"expected a comparison (<, <=, >, >=, ==, !=), found {scanner.Describe()}");
            return false;
        }

        scanner.SkipSpaces();
        int valueColumn = scanner.Column;
        string valueWord = scanner.Value();
        if (!TryBound(metric, metricWord, valueWord, valueColumn, out double bound, out error))
        {
            return false;
        }

        scanner.SkipSpaces();
        TimeSpan? window = null;
        if (!scanner.AtEnd)
        {
            int overColumn = scanner.Column;
            if (scanner.Word() != "over")
            {
                error = new(overColumn, $"expected 'over <duration>' or the end, found {new Scanner(text!, overColumn - 1).Describe()}");
                return false;
            }

            if (service)
            {
                error = new(overColumn, "windows ('over') apply to latency, error_rate, rps and counts, not to service time");
                return false;
            }

            scanner.SkipSpaces();
            int windowColumn = scanner.Column;
            string windowWord = scanner.Value();
            if (windowWord.Length == 0)
            {
                error = new(windowColumn, "expected a duration after 'over', such as 5m, found the end");
                return false;
            }

            if (!DurationText.TryParse(windowWord, out TimeSpan w, out string? why) || w < TimeSpan.FromSeconds(1))
            {
                error = new(windowColumn, why is null ? $"a window must be at least 1s, found '{windowWord}'" : $"expected a duration after 'over': {why}");
                return false;
            }

            window = w;
            scanner.SkipSpaces();
            if (!scanner.AtEnd)
            {
                error = new(scanner.Column, $"expected the end, found {scanner.Describe()}");
                return false;
            }
        }

        threshold = new Threshold(text!.Trim(), metric, percentile, comparison, bound, window) { OnServiceTime = service };
        error = null;
        return true;
    }

    private static bool TryMetric(string word, int column, out ThresholdMetric metric, out double percentile, out bool service, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        metric = default;
        percentile = 0;
        error = null;
        service = word.StartsWith("service.", StringComparison.Ordinal);
        string stat = word.StartsWith("latency.", StringComparison.Ordinal) ? word[8..] : service ? word[8..] : word;
        bool prefixed = stat.Length != word.Length;
        switch (stat)
        {
            case "mean": metric = ThresholdMetric.Mean; return true;
            case "min": metric = ThresholdMetric.Min; return true;
            case "max": metric = ThresholdMetric.Max; return true;
            case "error_rate" when !prefixed: metric = ThresholdMetric.ErrorRate; return true;
            case "rps" when !prefixed: metric = ThresholdMetric.Rps; return true;
            case "dropped" when !prefixed: metric = ThresholdMetric.Dropped; return true;
            case "count" when !prefixed: metric = ThresholdMetric.Count; return true;
            case "failures" when !prefixed: metric = ThresholdMetric.Failures; return true;
        }

        if (stat.Length > 1 && stat[0] == 'p' && double.TryParse(stat.AsSpan(1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percentile))
        {
            if (percentile is < 0 or > 100)
            {
                error = new(column, $"percentile '{stat}' must be from p0 to p100");
                return false;
            }

            metric = ThresholdMetric.Percentile;
            return true;
        }

        string? suggestion = Suggest(stat);
        error = new(column, $"unknown metric '{word}'; expected p<0-100> (such as p95), mean, min, max, error_rate, rps, dropped, count or failures"
            + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)"));
        return false;
    }

    private static bool TryBound(ThresholdMetric metric, string metricWord, string value, int column, out double bound, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        bound = 0;
        error = null;
        string found = value.Length == 0 ? "the end" : $"'{value}'";
        switch (metric)
        {
            case ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max:
                if (value.Length > 0 && DurationText.TryParse(value, out TimeSpan d, out _) && !IsPlainNumber(value))
                {
                    bound = d.Ticks * 100.0;
                    return true;
                }

                error = new(column, $"{metricWord} takes a duration such as 500ms or 1s, found {found}");
                return false;

            case ThresholdMetric.ErrorRate:
                bool percent = value.EndsWith('%');
                if (TryNumber(percent ? value[..^1] : value, out double rate))
                {
                    bound = percent ? rate / 100 : rate;
                    if (bound is >= 0 and <= 1)
                    {
                        return true;
                    }

                    error = new(column, $"error_rate must be from 0% to 100% (or a ratio from 0 to 1), found {found}");
                    return false;
                }

                error = new(column, $"error_rate takes a percentage such as 1% or a ratio such as 0.01, found {found}");
                return false;

            case ThresholdMetric.Rps:
                if (TryNumber(value.EndsWith("/s", StringComparison.Ordinal) ? value[..^2] : value, out bound))
                {
                    return true;
                }

                error = new(column, $"rps takes a number of results per second such as 40, found {found}");
                return false;

            default:
                if (value.Length > 0 && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                {
                    bound = n;
                    return true;
                }

                error = new(column, $"{metricWord} takes a whole number such as 0, found {found}");
                return false;
        }
    }

    private static bool IsPlainNumber(string value) => TryNumber(value, out _);

    private static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);

    /// <summary>The closest known metric name within two edits, for "did you mean".</summary>
    internal static string? Suggest(string word) => Text.DidYouMean.Closest(word, MetricNames);

    private ref struct Scanner(string text, int position = 0)
    {
        private readonly string _text = text;
        private int _at = position;

        public readonly int Column => _at + 1;

        public readonly bool AtEnd => _at >= _text.Length;

        public void SkipSpaces()
        {
            while (_at < _text.Length && char.IsWhiteSpace(_text[_at]))
            {
                _at++;
            }
        }

        /// <summary>A metric or keyword: letters, digits, '_' and '.'.</summary>
        public string Word() => Take(static c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.');

        /// <summary>A value: everything up to the next space.</summary>
        public string Value() => Take(static c => !char.IsWhiteSpace(c));

        public bool TryComparison(out Comparison comparison)
        {
            ReadOnlySpan<char> rest = _text.AsSpan(_at);
            (comparison, int length) = rest switch
            {
                _ when rest.StartsWith("<=") => (Comparison.LessOrEqual, 2),
                _ when rest.StartsWith(">=") => (Comparison.GreaterOrEqual, 2),
                _ when rest.StartsWith("==") => (Comparison.Equal, 2),
                _ when rest.StartsWith("!=") => (Comparison.NotEqual, 2),
                _ when rest.StartsWith("<") => (Comparison.Less, 1),
                _ when rest.StartsWith(">") => (Comparison.Greater, 1),
                _ => (default(Comparison), 0),
            };
            _at += length;
            return length > 0;
        }

        /// <summary>The next token, quoted, or "the end".</summary>
        public readonly string Describe()
        {
            if (AtEnd)
            {
                return "the end";
            }

            int end = _at;
            while (end < _text.Length && !char.IsWhiteSpace(_text[end]))
            {
                end++;
            }

            return $"'{_text[_at..end]}'";
        }

        private string Take(Func<char, bool> accept)
        {
            int start = _at;
            while (_at < _text.Length && accept(_text[_at]))
            {
                _at++;
            }

            return _text[start.._at];
        }
    }
}

/// <summary>Where and why a threshold did not parse.</summary>
public sealed record ThresholdParseError(int Column, string Message)
{
    public override string ToString() => $"column {Column}: {Message}";
}
