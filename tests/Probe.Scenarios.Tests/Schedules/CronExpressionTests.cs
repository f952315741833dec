using Probe.Scenarios.Schedules;
using Xunit;

namespace Probe.Scenarios.Tests.Schedules;

public class CronExpressionTests
{
    private static readonly DateTimeOffset Sunday = new(2026, 11, 22, 10, 17, 30, TimeSpan.Zero); // a Sunday

    [Theory]
    [InlineData("nightly at 03:00", "0 3 * * *", "2026-11-23T03:00:00")]
    [InlineData("every 5 minutes", "*/5 * * * *", "2026-11-22T10:20:00")]
    [InlineData("every minute", "* * * * *", "2026-11-22T10:18:00")]
    [InlineData("list of minutes", "5,20,40 * * * *", "2026-11-22T10:20:00")]
    [InlineData("range with step", "0 9-17/4 * * *", "2026-11-22T13:00:00")]
    [InlineData("weekdays only skip Sunday", "30 8 * * 1-5", "2026-11-23T08:30:00")]
    [InlineData("weekday names", "0 12 * * MON,WED", "2026-11-23T12:00:00")]
    [InlineData("7 is Sunday", "0 11 * * 7", "2026-11-22T11:00:00")]
    [InlineData("first of the month", "0 0 1 * *", "2026-12-01T00:00:00")]
    [InlineData("month names", "0 0 1 JAN *", "2027-01-01T00:00:00")]
    [InlineData("day of month or weekday when both restricted", "0 0 25 * 1", "2026-11-23T00:00:00")]
    [InlineData("leap day", "0 0 29 2 *", "2028-02-29T00:00:00")]
    [InlineData("step from a start value", "50/5 * * * *", "2026-11-22T10:50:00")]
    [InlineData("@hourly", "@hourly", "2026-11-22T11:00:00")]
    [InlineData("@daily", "@daily", "2026-11-23T00:00:00")]
    [InlineData("@weekly", "@weekly", "2026-11-29T00:00:00")]
    public void Next_Expression_FirstMatchingMinuteAfter(string name, string text, string expected)
    {
        _ = name;
        DateTimeOffset? next = CronExpression.Parse(text).Next(Sunday);
        Assert.Equal(DateTimeOffset.Parse(expected + "Z", System.Globalization.CultureInfo.InvariantCulture), next);
    }

    [Fact]
    public void Next_AtAMatchingMinute_IsStrictlyLater()
    {
        var at = new DateTimeOffset(2026, 11, 23, 3, 0, 0, TimeSpan.Zero);
        Assert.Equal(at.AddDays(1), CronExpression.Parse("0 3 * * *").Next(at));
    }

    [Fact]
    public void Next_ImpossibleDate_IsNull() => Assert.Null(CronExpression.Parse("0 0 30 2 *").Next(Sunday));

    [Theory]
    [InlineData("too few fields", "0 3 * *", "expected five fields")]
    [InlineData("minute out of range", "60 * * * *", "minute field \"60\": \"60\" is not a value from 0 to 59")]
    [InlineData("hour out of range", "0 24 * * *", "hour field")]
    [InlineData("backwards range", "0 5-3 * * *", "runs backwards")]
    [InlineData("zero step", "*/0 * * * *", "step \"0\"")]
    [InlineData("unknown month name", "0 0 1 FOO *", "or a name such as JAN")]
    [InlineData("day of month zero", "0 0 0 * *", "day of month field")]
    public void TryParse_BadExpression_SaysWhatIsWrong(string name, string text, string expected)
    {
        _ = name;
        Assert.False(CronExpression.TryParse(text, out CronExpression? expression, out string? error));
        Assert.Null(expression);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
