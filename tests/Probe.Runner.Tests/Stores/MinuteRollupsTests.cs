using Probe.Runner.Stores;
using Xunit;

namespace Probe.Runner.Tests.Stores;

[Collection(RealTimeCollection.Name)]
public sealed class MinuteRollupsTests
{
    [Theory]
    // Minutes only when no edges are asked for, or no whole settled hour lies inside.
    [InlineData(30, 500, 8, null, "", "30-500")]
    [InlineData(30, 100, 8, "", "", "30-100")]
    // Whole hours between partial ones; hours past the hour rollups' end stay minutes.
    [InlineData(30, 500, 8, "", "1-8", "30-60,480-500")]
    [InlineData(30, 500, 5, "", "1-5", "30-60,300-500")]
    // An edge inside an hour keeps that hour in minutes; one on an hour's first minute splits nothing.
    [InlineData(30, 500, 8, "200,420", "1-3,4-8", "30-60,180-240,480-500")]
    [InlineData(0, 480, 8, "120,479", "0-7", "420-480")]
    public void Split_PartitionsTheSpanIntoWholeHoursAndMinutes(long from, long covered, long hoursCovered, string? edges, string hours, string minutes)
    {
        long[]? at = edges is null ? null : edges.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();
        Spans spans = MinuteRollups.Split(from, covered, hoursCovered, at);
        Assert.Equal(hours, string.Join(",", spans.Hours.Select(h => $"{h.From}-{h.To}")));
        Assert.Equal(minutes, string.Join(",", spans.Minutes.Select(m => $"{m.From}-{m.To}")));

        // Every minute of the span is read exactly once.
        long[] read = spans.Hours.SelectMany(h => Range(h.From * 60, h.To * 60)).Concat(spans.Minutes.SelectMany(m => Range(m.From, m.To))).Order().ToArray();
        Assert.Equal(Range(from, covered), read);
    }

    [Fact]
    public void Runs_JoinsConsecutiveHours()
    {
        Assert.Equal([(0L, 3L), (5L, 6L), (9L, 11L)], MinuteRollups.Runs([2, 0, 1, 5, 9, 10, 10]));
        Assert.Empty(MinuteRollups.Runs([]));
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (long m = from; m < to; m++)
        {
            yield return m;
        }
    }
}
