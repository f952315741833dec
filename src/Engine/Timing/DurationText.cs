using System.Globalization;

namespace Probe.Engine.Timing;

/// <summary>
/// Durations as people write them in suites and thresholds: <c>250ms</c>, <c>1.5s</c>, <c>2m</c>,
/// <c>1h30m</c>, <c>500us</c> (or <c>µs</c>), <c>800ns</c>, <c>14d</c>.
/// </summary>
/// <remarks>
/// Grammar: <c>duration := part { part }</c>, <c>part := number unit</c>, <c>number := digits [ "." digits ]</c>,
/// <c>unit := "ns" | "us" | "µs" | "ms" | "s" | "m" | "h" | "d"</c>. No spaces inside, no sign.
/// </remarks>
public static class DurationText
{
    private static readonly decimal MaxNanoseconds = (decimal)TimeSpan.MaxValue.Ticks * 100;

    /// <summary>Parses <paramref name="text"/>, or says why it is not a duration.</summary>
    public static bool TryParse(string? text, out TimeSpan duration, out string? error)
    {
        duration = TimeSpan.Zero;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "expected a duration such as 250ms, 1s or 2m, found nothing";
            return false;
        }

        string s = text.Trim();
        decimal totalNs = 0;
        int i = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            ReadOnlySpan<char> digits = s.AsSpan(start, i - start);
            if (i == start || !decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal number))
            {
                // Well-formed digits that still do not parse are too many for a decimal.
                error = i > start && digits.Count('.') <= 1 && digits[0] != '.' && digits[^1] != '.'
                    ? $"'{s}' is too long a duration"
                    : $"expected a number at '{s[start..]}' in '{s}' (a duration such as 250ms, 1s or 2m)";
                return false;
            }

            int unitStart = i;
            while (i < s.Length && !char.IsAsciiDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            decimal? unitNs = UnitNanoseconds(s[unitStart..i]);
            if (unitNs is null)
            {
                error = unitStart == i
                    ? $"'{s}' has no unit: write it as {s}ms, {s}s or {s}m"
                    : $"unknown unit '{s[unitStart..i]}' in '{s}': use ns, us, ms, s, m, h or d";
                return false;
            }

            // Checked against the limit before multiplying: decimal overflows past 7.9e28.
            if (number > (MaxNanoseconds - totalNs) / unitNs.Value)
            {
                error = $"'{s}' is too long a duration";
                return false;
            }

            totalNs += number * unitNs.Value;
        }

        duration = TimeSpan.FromTicks((long)Math.Round(totalNs / 100m));
        return true;
    }

    /// <summary>Parses <paramref name="text"/> or throws <see cref="FormatException"/> with the reason.</summary>
    public static TimeSpan Parse(string text) =>
        TryParse(text, out TimeSpan d, out string? error) ? d : throw new FormatException(error);

    /// <summary>Writes a duration the way <see cref="TryParse"/> reads it, in its largest exact unit.</summary>
    public static string Format(TimeSpan duration)
    {
        long ticks = duration.Ticks;
        return ticks switch
        {
            0 => "0s",
            _ when ticks % TimeSpan.TicksPerHour == 0 => $"{ticks / TimeSpan.TicksPerHour}h",
            _ when ticks % TimeSpan.TicksPerMinute == 0 => $"{ticks / TimeSpan.TicksPerMinute}m",
            _ when ticks % TimeSpan.TicksPerSecond == 0 => $"{ticks / TimeSpan.TicksPerSecond}s",
            _ when ticks % TimeSpan.TicksPerMillisecond == 0 => $"{ticks / TimeSpan.TicksPerMillisecond}ms",
            _ => string.Create(CultureInfo.InvariantCulture, $"{ticks / 10.0}us"),
        };
    }

    /// <summary>Formats nanoseconds for people with three significant digits (histogram precision): 812µs, 12.3ms, 1.42s.</summary>
    public static string FormatNanoseconds(long nanoseconds) => nanoseconds switch
    {
        < 1_000 => string.Create(CultureInfo.InvariantCulture, $"{nanoseconds}ns"),
        < 1_000_000 => Significant(nanoseconds / 1e3, "µs"),
        < 1_000_000_000 => Significant(nanoseconds / 1e6, "ms"),
        _ => Significant(nanoseconds / 1e9, "s"),
    };

    private static string Significant(double value, string unit)
    {
        string format = value < 10 ? "0.##" : value < 100 ? "0.#" : "0";
        return value.ToString(format, CultureInfo.InvariantCulture) + unit;
    }

    private static decimal? UnitNanoseconds(string unit) => unit switch
    {
        "ns" => 1m,
        "us" or "µs" => 1_000m,
        "ms" => 1_000_000m,
        "s" => 1_000_000_000m,
        "m" => 60_000_000_000m,
        "h" => 3_600_000_000_000m,
        "d" => 86_400_000_000_000m,
        _ => null,
    };
}
