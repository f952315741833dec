using System.Globalization;
using Probe.Engine.Stats;
using Probe.Engine.Timing;

namespace Probe.Engine.Thresholds;

/// <summary>
/// Parses thresholds. The grammar (spaces between tokens are optional unless two words meet):
/// <code>
/// threshold  = metric comparison value [ "over" duration ]
///            | "goodput" "(" objective { "," objective } ")" comparison ratio
///            | k6metric [ ":" ] k6stat comparison value      ; k6: http_req_duration p(95)&lt;500
/// metric     = [ "latency." | "service." ] stat | "error_rate" | "rps" | "dropped" | "count" | "failures"
///            | llm ( " " | "." ) stat                        ; ttft p95, output_tps mean
/// llm        = "ttft" | "itl" | "tpot" | "e2e" | "output_tps"
/// objective  = ( "ttft" | "tpot" | "e2e" ) comparison duration | "output_tps" comparison number
/// stat       = "p" number | "p(" number ")" | "mean" | "avg" | "med" | "min" | "max" ; p95, p(99.9); med = p50
/// k6metric   = "http_req_duration" | "iteration_duration"    ; trends: stat
///            | "http_req_failed" | "checks"                  ; rates: "rate"
///            | "http_reqs" | "iterations"                    ; counters: "count" | "rate" (per second)
/// comparison = "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "==" | "!="
/// value      = duration | number                             ; for stats: 250ms, 1s; a bare number is ms (k6)
///            | number [ "/s" ]                               ; for output_tps (tokens per second) and rps
///            | ratio                                         ; for error_rate
///            | digits                                        ; for dropped, count, failures
/// ratio      = number "%" | number                           ; 1% or 0.01
/// duration   = see DurationText: number unit { number unit }, unit = ns|us|µs|ms|s|m|h|d
/// </code>
/// Errors name the 1-based column and what was expected there.
/// </summary>
public static class ThresholdParser
{
    private static readonly string[] MetricNames = ["p95", "p99", "mean", "avg", "med", "min", "max", "error_rate", "rps", "dropped", "count", "failures", "ttft", "itl", "tpot", "e2e", "output_tps", "goodput"];

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
        K6Metric? k6 = K6MetricOf(metricWord);
        if (k6 is not null)
        {
            // k6's metric before its expression: "http_req_duration p(95)<500", "http_req_failed: rate<0.01".
            scanner.SkipSpaces();
            scanner.TryChar(':');
            scanner.SkipSpaces();
            metricColumn = scanner.Column;
            metricWord = scanner.Word();
        }

        if (metricWord == "p" && !TryK6Percentile(ref scanner, metricColumn, ref metricWord, out error))
        {
            return false;
        }

        if (metricWord.Length == 0)
        {
            error = new(metricColumn, $"expected a metric (p95, mean, max, error_rate, rps, dropped, ttft p95, goodput(…)…), found {scanner.Describe()}");
            return false;
        }

        LlmMeasure? llm = null;
        IReadOnlyList<LlmObjective> objectives = [];
        if (metricWord == "goodput")
        {
            if (!TryObjectives(ref scanner, out objectives, out error))
            {
                return false;
            }
        }
        else if (LlmWord(metricWord) is { } split)
        {
            llm = split.Measure;
            string statWord = split.Stat;
            int statColumn = metricColumn + split.Name.Length + 1;
            if (statWord.Length == 0)
            {
                scanner.SkipSpaces();
                statColumn = scanner.Column;
                statWord = scanner.Word();
            }

            if (statWord is not ("mean" or "min" or "max") && !(statWord.Length > 1 && statWord[0] == 'p'))
            {
                error = new(statColumn, $"expected a statistic after '{split.Name}' (p50, p95, p99, mean, min, max), found {(statWord.Length == 0 ? scanner.Describe() : $"'{statWord}'")}");
                return false;
            }

            metricWord = statWord;
            metricColumn = statColumn;
        }

        ThresholdMetric metric = ThresholdMetric.Goodput;
        double percentile = 0;
        bool service = false;
        if (objectives.Count == 0 && !TryMetric(metricWord, metricColumn, k6, out metric, out percentile, out service, out error))
        {
            return false;
        }

        if (llm is not null && metric is not (ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max))
        {
            error = new(metricColumn, $"expected a statistic (p50, p95, p99, mean, min, max), found '{metricWord}'");
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
        if (!TryBound(metric, llm, metricWord, valueWord, valueColumn, out double bound, out error))
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

            if (service || llm is not null || metric is ThresholdMetric.Goodput or ThresholdMetric.CheckRate)
            {
                error = new(overColumn, $"windows ('over') apply to latency, error_rate, rps and counts, not to {(service ? "service time" : metric == ThresholdMetric.CheckRate ? "checks" : "LLM figures")}");
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

        threshold = new Threshold(text!.Trim(), metric, percentile, comparison, bound, window)
        {
            OnServiceTime = service,
            OnRequests = k6 is K6Metric.HttpReqDuration or K6Metric.HttpReqFailed or K6Metric.HttpReqs,
            Llm = llm,
            Objectives = objectives,
        };
        error = null;
        return true;
    }

    private static bool TryMetric(string word, int column, K6Metric? k6, out ThresholdMetric metric, out double percentile, out bool service, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        metric = default;
        percentile = 0;
        error = null;
        if (k6 is { } k6Metric)
        {
            return TryK6Statistic(k6Metric, word, column, out metric, out percentile, out service, out error);
        }

        service = word.StartsWith("service.", StringComparison.Ordinal);
        string stat = word.StartsWith("latency.", StringComparison.Ordinal) ? word[8..] : service ? word[8..] : word;
        bool prefixed = stat.Length != word.Length;
        switch (stat)
        {
            case "mean" or "avg": metric = ThresholdMetric.Mean; return true;
            case "med": metric = ThresholdMetric.Percentile; percentile = 50; return true;
            case "rate" when !prefixed:
                error = new(column, "'rate' reads a k6 rate metric; say which: http_req_failed rate<0.01 (the error rate), checks rate>0.99 (checks that held) or http_reqs rate>100 (per second)");
                return false;
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
        error = new(column, $"unknown metric '{word}'; expected p<0-100> (such as p95), mean, min, max, error_rate, rps, dropped, count, failures, an LLM figure (ttft, itl, tpot, e2e, output_tps) with a statistic, goodput(…), or k6's forms (avg, med, p(95), http_req_duration p(95)<500, http_req_failed rate<0.01, checks rate>0.99)"
            + (suggestion is null ? string.Empty : $" (did you mean '{suggestion}'?)"));
        return false;
    }

    private static bool TryBound(ThresholdMetric metric, LlmMeasure? llm, string metricWord, string value, int column, out double bound, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        bound = 0;
        error = null;
        string found = value.Length == 0 ? "the end" : $"'{value}'";
        switch (metric)
        {
            case ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max when llm == LlmMeasure.OutputTokensPerSecond:
                if (TryNumber(value.EndsWith("/s", StringComparison.Ordinal) ? value[..^2] : value, out bound))
                {
                    return true;
                }

                error = new(column, $"output_tps takes tokens per second such as 20, found {found}");
                return false;

            case ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max:
                if (TryNumber(value, out double milliseconds))
                {
                    bound = milliseconds * 1_000_000; // a bare number is milliseconds, as in k6
                    return true;
                }

                if (value.Length > 0 && DurationText.TryParse(value, out TimeSpan d, out _))
                {
                    bound = d.Ticks * 100.0;
                    return true;
                }

                error = new(column, $"{metricWord} takes a duration such as 500ms or 1s (a bare number is milliseconds), found {found}");
                return false;

            case ThresholdMetric.ErrorRate or ThresholdMetric.Goodput or ThresholdMetric.CheckRate:
                string name = metric switch { ThresholdMetric.Goodput => "goodput", ThresholdMetric.CheckRate => "checks rate", _ => "error_rate" };
                bool percent = value.EndsWith('%');
                if (TryNumber(percent ? value[..^1] : value, out double rate))
                {
                    bound = percent ? rate / 100 : rate;
                    if (bound is >= 0 and <= 1)
                    {
                        return true;
                    }

                    error = new(column, $"{name} must be from 0% to 100% (or a ratio from 0 to 1), found {found}");
                    return false;
                }

                error = new(column, metric == ThresholdMetric.ErrorRate
                    ? $"error_rate takes a percentage such as 1% or a ratio such as 0.01, found {found}"
                    : $"{name} takes a percentage such as 95% or a ratio such as 0.95, found {found}");
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

    /// <summary>The k6 metrics a threshold may name before its expression, as k6's thresholds object keys them.</summary>
    private enum K6Metric
    {
        HttpReqDuration,
        HttpReqFailed,
        HttpReqs,
        IterationDuration,
        Iterations,
        Checks,
    }

    /// <summary>k6's metric names Probe reads, in one place: the parser, "did you mean" and the suite's thresholds object use them.</summary>
    private static readonly (string Name, K6Metric Metric)[] K6Names =
    [
        ("http_req_duration", K6Metric.HttpReqDuration),
        ("http_req_failed", K6Metric.HttpReqFailed),
        ("http_reqs", K6Metric.HttpReqs),
        ("iteration_duration", K6Metric.IterationDuration),
        ("iterations", K6Metric.Iterations),
        ("checks", K6Metric.Checks),
    ];

    /// <summary>The k6 metrics a threshold may name: http_req_duration, http_req_failed, http_reqs, iteration_duration, iterations, checks.</summary>
    public static IReadOnlyList<string> K6MetricNames { get; } = K6Names.Select(k => k.Name).ToArray();

    private static K6Metric? K6MetricOf(string word) =>
        Array.FindIndex(K6Names, k => k.Name == word) is var i and >= 0 ? K6Names[i].Metric : null;

    private static string NameOf(K6Metric metric) => Array.Find(K6Names, k => k.Metric == metric).Name;

    /// <summary>Reads k6's <c>p(95)</c> after the <c>p</c> already read, as <c>p95</c>.</summary>
    private static bool TryK6Percentile(ref Scanner scanner, int column, ref string word, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        error = null;
        if (!scanner.TryChar('('))
        {
            return true; // a lone 'p': TryMetric names it
        }

        string number = scanner.Word();
        if (!scanner.TryChar(')') || !TryNumber(number, out _))
        {
            error = new(column, $"expected a percentile such as p(95) or p(99.9), found 'p({number}'");
            return false;
        }

        word = "p" + number;
        return true;
    }

    /// <summary>
    /// What a statistic means under a k6 metric: trends (http_req_duration, iteration_duration) take
    /// p(N), avg, med, min, max; rates (http_req_failed, checks) take rate; counters (http_reqs,
    /// iterations) take count and rate (per second).
    /// </summary>
    private static bool TryK6Statistic(K6Metric k6, string word, int column, out ThresholdMetric metric, out double percentile, out bool service, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        metric = default;
        percentile = 0;
        service = false;
        error = null;
        switch (k6, word)
        {
            case (K6Metric.HttpReqDuration or K6Metric.IterationDuration, _) when word is not ("rate" or "count"):
                return TryMetric(word, column, null, out metric, out percentile, out service, out error)
                    && (metric is ThresholdMetric.Percentile or ThresholdMetric.Mean or ThresholdMetric.Min or ThresholdMetric.Max
                        || Refuse(column, $"{NameOf(k6)} is a trend: it takes p(N), avg, med, min or max, found '{word}'", out error));
            case (K6Metric.HttpReqFailed, "rate"):
                metric = ThresholdMetric.ErrorRate;
                return true;
            case (K6Metric.Checks, "rate"):
                metric = ThresholdMetric.CheckRate;
                return true;
            case (K6Metric.HttpReqs or K6Metric.Iterations, "count"):
                metric = ThresholdMetric.Count;
                return true;
            case (K6Metric.HttpReqs or K6Metric.Iterations, "rate"):
                metric = ThresholdMetric.Rps;
                return true;
            default:
                string takes = k6 switch
                {
                    K6Metric.HttpReqFailed or K6Metric.Checks => "a rate: it takes rate, such as rate<0.01",
                    K6Metric.HttpReqs or K6Metric.Iterations => "a counter: it takes count or rate (per second)",
                    _ => "a trend: it takes p(N), avg, med, min or max",
                };
                return Refuse(column, $"{NameOf(k6)} is {takes}, found {(word.Length == 0 ? "nothing" : $"'{word}'")}", out error);
        }
    }

    private static bool Refuse(int column, string message, out ThresholdParseError error)
    {
        error = new(column, message);
        return false;
    }

    /// <summary>An LLM figure's name, alone (<c>ttft</c>) or with its statistic (<c>ttft.p95</c>); null for other words.</summary>
    private static (string Name, LlmMeasure Measure, string Stat)? LlmWord(string word)
    {
        int dot = word.IndexOf('.', StringComparison.Ordinal);
        string name = dot < 0 ? word : word[..dot];
        LlmMeasure? measure = LlmMeasureOf(name);
        return measure is { } m ? (name, m, dot < 0 ? string.Empty : word[(dot + 1)..]) : null;
    }

    private static LlmMeasure? LlmMeasureOf(string name) => name switch
    {
        "ttft" => LlmMeasure.TimeToFirstToken,
        "itl" => LlmMeasure.InterTokenLatency,
        "tpot" => LlmMeasure.TimePerOutputToken,
        "e2e" => LlmMeasure.EndToEnd,
        "output_tps" => LlmMeasure.OutputTokensPerSecond,
        _ => null,
    };

    /// <summary>Reads <c>(ttft &lt; 1s, tpot &lt; 50ms)</c> after <c>goodput</c>.</summary>
    private static bool TryObjectives(ref Scanner scanner, out IReadOnlyList<LlmObjective> objectives, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out ThresholdParseError? error)
    {
        var list = new List<LlmObjective>();
        objectives = list;
        scanner.SkipSpaces();
        if (!scanner.TryChar('('))
        {
            error = new(scanner.Column, $"expected '(' and the objectives each request must meet, as goodput(ttft < 1s, tpot < 50ms), found {scanner.Describe()}");
            return false;
        }

        do
        {
            scanner.SkipSpaces();
            int column = scanner.Column;
            string word = scanner.Word();
            LlmMeasure? measure = LlmMeasureOf(word);
            if (measure is null or LlmMeasure.InterTokenLatency)
            {
                error = new(column, $"expected a per-request objective on ttft, tpot, e2e or output_tps, found {(word.Length == 0 ? scanner.Describe() : $"'{word}'")}"
                    + (word == "itl" ? " (inter-token gaps are many per request: use tpot, their mean)" : string.Empty));
                return false;
            }

            scanner.SkipSpaces();
            int comparisonColumn = scanner.Column;
            if (!scanner.TryComparison(out Comparison comparison))
            {
                error = new(comparisonColumn, $"expected a comparison (<, <=, >, >=) after '{word}', found {scanner.Describe()}");
                return false;
            }

            scanner.SkipSpaces();
            int valueColumn = scanner.Column;
            string value = scanner.Bounded();
            if (!TryBound(ThresholdMetric.Mean, measure, word, value, valueColumn, out double bound, out error))
            {
                return false;
            }

            list.Add(new LlmObjective(measure.Value, comparison, bound));
            scanner.SkipSpaces();
        }
        while (scanner.TryChar(','));

        if (!scanner.TryChar(')'))
        {
            error = new(scanner.Column, $"expected ',' and another objective, or ')', found {scanner.Describe()}");
            return false;
        }

        error = null;
        return true;
    }

    private static bool IsPlainNumber(string value) => TryNumber(value, out _);

    private static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number);

    /// <summary>The closest known metric name within two edits, for "did you mean".</summary>
    internal static string? Suggest(string word) => Text.DidYouMean.Closest(word, [.. MetricNames, .. K6MetricNames]);

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

        /// <summary>A value inside a list: everything up to the next space, ',' or ')'.</summary>
        public string Bounded() => Take(static c => !char.IsWhiteSpace(c) && c is not (',' or ')'));

        public bool TryChar(char c)
        {
            if (_at < _text.Length && _text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

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
