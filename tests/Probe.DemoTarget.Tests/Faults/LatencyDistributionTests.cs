using Probe.DemoTarget.Faults;

namespace Probe.DemoTarget.Tests.Faults;

public class LatencyDistributionTests
{
    [Theory]
    [InlineData("none", "none")]
    [InlineData("50ms", "fixed:50ms")]
    [InlineData("fixed:50ms", "fixed:50ms")]
    [InlineData("uniform:10ms..50ms", "uniform:10ms..50ms")]
    [InlineData("normal:100ms,20ms", "normal:100ms,20ms")]
    [InlineData("exponential:40ms", "exponential:40ms")]
    public void Parse_KnownForms_RoundTrip(string text, string shown) => Assert.Equal(shown, LatencyDistribution.Parse(text).ToString());

    [Theory]
    [InlineData("gaussian:5ms", "latency 'gaussian:5ms' is not one of none, fixed:50ms, uniform:10ms..50ms, normal:100ms,20ms or exponential:40ms")]
    [InlineData("uniform:50ms..10ms", "latency 'uniform:50ms..10ms': the upper bound is below the lower bound; expected none, fixed:50ms, uniform:10ms..50ms, normal:100ms,20ms or exponential:40ms")]
    [InlineData("fixed:fast", "latency 'fixed:fast': expected a number at 'fast' in 'fast' (a duration such as 250ms, 1s or 2m); expected none, fixed:50ms, uniform:10ms..50ms, normal:100ms,20ms or exponential:40ms")]
    public void Parse_Broken_SaysWhy(string text, string message) => Assert.Equal(message, Assert.Throws<FormatException>(() => LatencyDistribution.Parse(text)).Message);

    [Fact]
    public void Sample_Uniform_StaysInBoundsWithTheRightMean()
    {
        var random = new Random(3);
        LatencyDistribution d = LatencyDistribution.Parse("uniform:10ms..50ms");
        double[] samples = Enumerable.Range(0, 100_000).Select(_ => d.Sample(random).TotalMilliseconds).ToArray();
        Assert.True(samples.Min() >= 10 && samples.Max() <= 50);
        Assert.Equal(30, samples.Average(), 0);
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.01)]
    [InlineData(1.0 / 3)]
    public void Hits_AnyWindow_HasExactlyTheShare(double rate)
    {
        for (int start = 0; start < 50; start += 7)
        {
            int hits = Enumerable.Range(start, 300).Count(n => FaultInjector.Hits(n, rate));
            Assert.InRange(hits, (int)Math.Floor(300 * rate) - 1, (int)Math.Ceiling(300 * rate) + 1);
        }
    }
}
