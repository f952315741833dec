using CsCheck;
using Probe.Scenarios.Schedules;

namespace Probe.Scenarios.Tests.Schedules;

/// <summary>
/// Our cron against Cronos, a well-kept cron library, as an oracle: for generated expressions (values,
/// ranges, steps, lists in every field) and instants, both must name the same next minute. One rule
/// differs on purpose: when both day fields are restricted (neither starts with '*'), ours matches a day
/// when either field does, as POSIX and Vixie cron do (docs/suite.md), where Cronos wants both; there
/// the oracle is the earlier of Cronos's answers for each day field alone.
/// </summary>
public class CronOracleTests
{
    private static readonly DateTime From = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Next_AgreesWithCronos_ForGeneratedExpressionsAndInstants()
    {
        Gen<string[]> fields = Gen.Select(Field(0, 59), Field(0, 23), Field(1, 31), Field(1, 12), Field(0, 6), (m, h, dom, mon, dow) => new[] { m, h, dom, mon, dow });
        Gen<DateTime> instants = Gen.Long[0, TimeSpan.FromDays(4 * 365).Ticks].Select(t => From.AddTicks(t));

        Gen.Select(fields, instants).Sample((parts, after) =>
        {
            string text = string.Join(' ', parts);
            DateTimeOffset? ours = CronExpression.Parse(text).Next(new DateTimeOffset(after));
            DateTime? oracle = Oracle(parts, after);
            if (ours is null)
            {
                // Ours looks eight years ahead: Cronos may find a rarer match (a 29 February on one weekday) further away.
                return oracle is null || oracle.Value >= after.AddYears(8).AddDays(-1);
            }

            return ours.Value.UtcDateTime == oracle;
        }, iter: 3000);
    }

    [Theory]
    [InlineData("0 0 13 * 5", "2026-02-13T00:00:00")] // a Friday the 13th under AND; the 6th (a Friday) under OR
    [InlineData("30 12 1,15 * 1-5", "2026-01-01T12:30:00")]
    public void BothDayFieldsRestricted_EitherMatches_WhereCronosWantsBoth(string text, string cronos)
    {
        DateTime after = new(2025, 12, 31, 23, 59, 0, DateTimeKind.Utc);
        DateTimeOffset? ours = CronExpression.Parse(text).Next(new DateTimeOffset(after));

        Assert.Equal(DateTime.Parse(cronos + "Z", System.Globalization.CultureInfo.InvariantCulture).ToUniversalTime(), Cronos.CronExpression.Parse(text).GetNextOccurrence(after));
        Assert.Equal(Oracle(text.Split(' '), after), ours!.Value.UtcDateTime);
    }

    private static DateTime? Oracle(string[] parts, DateTime after)
    {
        if (parts[2].StartsWith('*') || parts[4].StartsWith('*'))
        {
            return Cronos.CronExpression.Parse(string.Join(' ', parts)).GetNextOccurrence(after);
        }

        DateTime? byDay = Cronos.CronExpression.Parse(string.Join(' ', parts[0], parts[1], parts[2], parts[3], "*")).GetNextOccurrence(after);
        DateTime? byWeekday = Cronos.CronExpression.Parse(string.Join(' ', parts[0], parts[1], "*", parts[3], parts[4])).GetNextOccurrence(after);
        return byDay is null ? byWeekday : byWeekday is null ? byDay : byDay < byWeekday ? byDay : byWeekday;
    }

    /// <summary>A cron field over [lo, hi]: *, a value, a range, a step of either, or a list of values and ranges.</summary>
    private static Gen<string> Field(int lo, int hi)
    {
        Gen<string> value = Gen.Int[lo, hi].Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Gen<string> range = Gen.Select(Gen.Int[lo, hi], Gen.Int[lo, hi], (a, b) => $"{Math.Min(a, b)}-{Math.Max(a, b)}");
        Gen<string> step = Gen.Int[1, Math.Max(1, (hi - lo) / 2)].Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Gen<string> list = Gen.OneOf(value, range).Array[2, 3].Select(items => string.Join(',', items));
        return Gen.Frequency(
            (4, Gen.Const("*")),
            (3, value),
            (2, range),
            (2, step.Select(s => $"*/{s}")),
            (1, Gen.Select(range, step, (r, s) => $"{r}/{s}")),
            (2, list));
    }
}
