using System.Globalization;

namespace Probe.Engine.Thresholds;

/// <summary>
/// A comparison with an earlier run, such as <c>p95 &lt;= baseline +10%</c>.
/// <code>
/// rule   = metric ( "&lt;=" | "&gt;=" ) "baseline" [ ( "+" | "-" ) number "%" ]
/// metric = "p50" | "p75" | "p90" | "p95" | "p99" | "p99.9" | "mean" | "max" | "error_rate" | "rps"
/// </code>
/// For times and rps the percentage is relative (<c>p95 &lt;= baseline +10%</c>: at most 10 % slower);
/// for error_rate it is absolute, in percentage points (<c>error_rate &lt;= baseline +1%</c>).
/// </summary>
public sealed record BaselineRule(string Text, string Metric, bool AtMost, double Percent)
{
    internal static readonly string[] Metrics = ["p50", "p75", "p90", "p95", "p99", "p99.9", "mean", "max", "error_rate", "rps"];

    /// <summary>The rule used when a scenario names none.</summary>
    public static BaselineRule Default { get; } = Parse("p95 <= baseline +10%");

    /// <summary>Parses a rule.</summary>
    /// <exception cref="FormatException">"baseline rule 'TEXT': …" with what was expected.</exception>
    public static BaselineRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string Fail(string why) => throw new FormatException($"baseline rule '{text}': {why}; write it as 'p95 <= baseline +10%'");
        if (parts.Length is < 3 or > 4)
        {
            Fail("expected METRIC <= baseline [+N%]");
        }

        if (!Metrics.Contains(parts[0]))
        {
            Fail($"unknown metric '{parts[0]}'{ThresholdParser.Suggest(parts[0]) switch { { } s => $" (did you mean '{s}'?)", _ => string.Empty }}; expected {string.Join(", ", Metrics)}");
        }

        if (parts[1] is not ("<=" or ">="))
        {
            Fail($"expected <= or >= after '{parts[0]}', found '{parts[1]}'");
        }

        if (parts[2] != "baseline")
        {
            Fail($"expected 'baseline', found '{parts[2]}'");
        }

        double percent = 0;
        if (parts.Length == 4)
        {
            string p = parts[3];
            if (p.Length < 3 || p[0] is not ('+' or '-') || p[^1] != '%' || !double.TryParse(p[1..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent))
            {
                Fail($"expected a margin such as +10% or -5%, found '{p}'");
            }

            percent = p[0] == '-' ? -percent : percent;
        }

        return new BaselineRule(text.Trim(), parts[0], parts[1] == "<=", percent);
    }

    /// <summary>The largest (or smallest) value allowed, given the baseline's.</summary>
    public double Limit(double baseline) =>
        Metric == "error_rate" ? baseline + (Percent / 100) : baseline * (1 + (Percent / 100));

    public bool Holds(double observed, double baseline) => AtMost ? observed <= Limit(baseline) : observed >= Limit(baseline);
}
