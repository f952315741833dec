using System.Globalization;

namespace Probe.Scenarios.Schedules;

/// <summary>
/// A five-field cron expression, evaluated in UTC: minute, hour, day of month, month, day of week.
/// Fields as in Vixie cron — when both day fields are restricted a day matches either of them.
/// <code>
/// expression := field field field field field | "@hourly" | "@daily" | "@midnight" | "@weekly" | "@monthly" | "@yearly" | "@annually"
/// field      := item ("," item)*
/// item       := ("*" | value | value "-" value) ["/" step]
/// value      := number | month name (JAN…DEC) | weekday name (SUN…SAT; 0 and 7 are Sunday)
/// </code>
/// </summary>
public sealed class CronExpression
{
    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly Dictionary<string, string> Macros = new(StringComparer.OrdinalIgnoreCase)
    {
        ["@hourly"] = "0 * * * *",
        ["@daily"] = "0 0 * * *",
        ["@midnight"] = "0 0 * * *",
        ["@weekly"] = "0 0 * * 0",
        ["@monthly"] = "0 0 1 * *",
        ["@yearly"] = "0 0 1 1 *",
        ["@annually"] = "0 0 1 1 *",
    };

    private readonly ulong _minutes;
    private readonly ulong _hours;
    private readonly ulong _days;
    private readonly ulong _months;
    private readonly ulong _weekdays;
    private readonly bool _daysRestricted;
    private readonly bool _weekdaysRestricted;

    private CronExpression(string text, ulong[] fields, bool daysRestricted, bool weekdaysRestricted)
    {
        Text = text;
        (_minutes, _hours, _days, _months, _weekdays) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        _daysRestricted = daysRestricted;
        _weekdaysRestricted = weekdaysRestricted;
    }

    public string Text { get; }

    /// <summary>Parses an expression, or says precisely what is wrong with it.</summary>
    public static bool TryParse(string text, out CronExpression? expression, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        expression = null;
        string expanded = Macros.TryGetValue(text.Trim(), out string? macro) ? macro : text;
        string[] parts = expanded.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 5)
        {
            error = $"expected five fields (minute hour day-of-month month day-of-week) such as \"0 3 * * *\", found {parts.Length}";
            return false;
        }

        (string Name, int Min, int Max, string[]? Names)[] shapes =
        [
            ("minute", 0, 59, null), ("hour", 0, 23, null), ("day of month", 1, 31, null), ("month", 1, 12, Months), ("day of week", 0, 7, Weekdays),
        ];
        var fields = new ulong[5];
        for (int i = 0; i < 5; i++)
        {
            if (!TryField(parts[i], shapes[i].Min, shapes[i].Max, shapes[i].Names, out fields[i], out string? fieldError))
            {
                error = $"{shapes[i].Name} field \"{parts[i]}\": {fieldError}";
                return false;
            }
        }

        if ((fields[4] & (1UL << 7)) != 0)
        {
            fields[4] |= 1; // 7 is Sunday too
        }

        error = null;
        expression = new CronExpression(text, fields, !parts[2].StartsWith('*'), !parts[4].StartsWith('*'));
        return true;
    }

    /// <exception cref="FormatException">The expression is not valid; the message says why.</exception>
    public static CronExpression Parse(string text) =>
        TryParse(text, out CronExpression? expression, out string? error) ? expression! : throw new FormatException($"cron \"{text}\": {error}");

    /// <summary>The first whole minute strictly after <paramref name="after"/> that matches, in UTC; null when none within eight years (such as "0 0 30 2 *").</summary>
    public DateTimeOffset? Next(DateTimeOffset after)
    {
        DateTime t = after.UtcDateTime;
        t = new DateTime(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, DateTimeKind.Utc).AddMinutes(1);
        DateTime limit = t.AddYears(8);
        while (t < limit)
        {
            if (!Has(_months, t.Month))
            {
                t = new DateTime(t.Year, t.Month, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(1);
            }
            else if (!DayMatches(t))
            {
                t = t.Date.AddDays(1);
            }
            else if (!Has(_hours, t.Hour))
            {
                t = new DateTime(t.Year, t.Month, t.Day, t.Hour, 0, 0, DateTimeKind.Utc).AddHours(1);
            }
            else if (!Has(_minutes, t.Minute))
            {
                t = t.AddMinutes(1);
            }
            else
            {
                return new DateTimeOffset(t);
            }
        }

        return null;
    }

    public override string ToString() => Text;

    private static bool Has(ulong set, int value) => (set & (1UL << value)) != 0;

    private bool DayMatches(DateTime t)
    {
        bool day = Has(_days, t.Day);
        bool weekday = Has(_weekdays, (int)t.DayOfWeek);
        return _daysRestricted && _weekdaysRestricted ? day || weekday : day && weekday;
    }

    private static bool TryField(string field, int min, int max, string[]? names, out ulong set, out string? error)
    {
        set = 0;
        foreach (string item in field.Split(','))
        {
            string range = item;
            int step = 1;
            int slash = item.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                range = item[..slash];
                if (!int.TryParse(item[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out step) || step < 1 || step > max)
                {
                    error = $"step \"{item[(slash + 1)..]}\" must be a whole number from 1 to {max}";
                    return false;
                }
            }

            int low, high;
            if (range == "*")
            {
                (low, high) = (min, max);
            }
            else
            {
                int dash = range.IndexOf('-', StringComparison.Ordinal);
                if (!TryValue(dash < 0 ? range : range[..dash], min, max, names, out low, out error) ||
                    !TryValue(dash < 0 ? range : range[(dash + 1)..], min, max, names, out high, out error))
                {
                    return false;
                }

                if (high < low)
                {
                    error = $"range \"{range}\" runs backwards; write the smaller value first";
                    return false;
                }

                if (slash >= 0 && dash < 0)
                {
                    high = max; // "5/15" means from 5 to the end, every 15
                }
            }

            for (int v = low; v <= high; v += step)
            {
                set |= 1UL << v;
            }
        }

        error = null;
        return true;
    }

    private static bool TryValue(string text, int min, int max, string[]? names, out int value, out string? error)
    {
        error = null;
        int named = names is null ? -1 : Array.FindIndex(names, n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (named >= 0)
        {
            value = names == Months ? named + 1 : named;
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max)
        {
            return true;
        }

        error = $"\"{text}\" is not a value from {min} to {max}{(names is null ? string.Empty : $" or a name such as {names[0]}")}";
        return false;
    }
}
