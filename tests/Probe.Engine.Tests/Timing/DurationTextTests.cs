using Probe.Engine.Timing;

namespace Probe.Engine.Tests.Timing;

public class DurationTextTests
{
    [Theory]
    [InlineData("250ms", 2_500_000L)]
    [InlineData("1.5s", 15_000_000L)]
    [InlineData("2m", 1_200_000_000L)]
    [InlineData("1h30m", 54_000_000_000L)]
    [InlineData("500us", 5_000L)]
    [InlineData("500µs", 5_000L)]
    [InlineData("800ns", 8L)]
    [InlineData("14d", 12_096_000_000_000L)]
    [InlineData(" 1s ", 10_000_000L)]
    public void TryParse_ValidDuration_GivesTicks(string text, long ticks)
    {
        Assert.True(DurationText.TryParse(text, out TimeSpan d, out string? error), error);
        Assert.Equal(ticks, d.Ticks);
    }

    [Theory]
    [InlineData("", "expected a duration such as 250ms, 1s or 2m, found nothing")]
    [InlineData("10", "'10' has no unit: write it as 10ms, 10s or 10m")]
    [InlineData("5 s", "unknown unit ' s' in '5 s': use ns, us, ms, s, m, h or d")]
    [InlineData("3 weeks", "unknown unit ' weeks' in '3 weeks': use ns, us, ms, s, m, h or d")]
    [InlineData("ms", "expected a number at 'ms' in 'ms' (a duration such as 250ms, 1s or 2m)")]
    [InlineData("1..2s", "expected a number at '1..2s' in '1..2s' (a duration such as 250ms, 1s or 2m)")]
    [InlineData("9999999999999999d", "'9999999999999999d' is too long a duration")]
    [InlineData("99999999999999999999999999999d", "'99999999999999999999999999999d' is too long a duration")]
    public void TryParse_Invalid_SaysWhy(string text, string message)
    {
        Assert.False(DurationText.TryParse(text, out _, out string? error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData(0L, "0s")]
    [InlineData(36_000_000_000L, "1h")]
    [InlineData(1_200_000_000L, "2m")]
    [InlineData(15_000_000L, "1500ms")]
    [InlineData(5_000L, "500us")]
    public void Format_RoundTripsThroughParse(long ticks, string text)
    {
        Assert.Equal(text, DurationText.Format(TimeSpan.FromTicks(ticks)));
        Assert.Equal(ticks, DurationText.Parse(text).Ticks);
    }

    [Theory]
    [InlineData(812L, "812ns")]
    [InlineData(812_345L, "812µs")]
    [InlineData(12_345_678L, "12.3ms")]
    [InlineData(9_990_000L, "9.99ms")]
    [InlineData(1_423_000_000L, "1.42s")]
    [InlineData(2_001_000_000L, "2s")]
    public void FormatNanoseconds_ThreeSignificantDigits(long nanoseconds, string text)
    {
        Assert.Equal(text, DurationText.FormatNanoseconds(nanoseconds));
    }
}
