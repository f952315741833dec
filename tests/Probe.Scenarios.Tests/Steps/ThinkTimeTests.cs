using Probe.Engine.Results;
using Probe.Scenarios.Steps;

namespace Probe.Scenarios.Tests.Steps;

/// <summary>A step's think time: fixed, or drawn anew each time from a range (k6's <c>sleep(1 + Math.random() * 2)</c>).</summary>
public class ThinkTimeTests
{
    [Fact]
    public void NextThink_ARange_DrawsUniformlyWithinItEveryTime()
    {
        var step = new BoundStep("s", _ => ValueTask.FromResult(StepResult.Ok()), null) { Think = TimeSpan.FromSeconds(1), ThinkUpTo = TimeSpan.FromSeconds(3) };

        TimeSpan[] draws = Enumerable.Range(0, 10_000).Select(_ => step.NextThink()).ToArray();

        Assert.True(step.Thinks);
        Assert.All(draws, d => Assert.InRange(d, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));

        // Uniform: the mean is the middle (its standard error here is 6 ms), and both ends are reached.
        Assert.InRange(draws.Average(d => d.TotalSeconds), 1.94, 2.06);
        Assert.True(draws.Min() < TimeSpan.FromSeconds(1.05) && draws.Max() > TimeSpan.FromSeconds(2.95), $"draws from {draws.Min()} to {draws.Max()}");
    }

    [Fact]
    public void NextThink_AFixedTime_IsThatTime()
    {
        var step = new BoundStep("s", _ => ValueTask.FromResult(StepResult.Ok()), null) { Think = TimeSpan.FromMilliseconds(250) };
        var none = new BoundStep("n", _ => ValueTask.FromResult(StepResult.Ok()), null);

        Assert.All(Enumerable.Range(0, 100), _ => Assert.Equal(TimeSpan.FromMilliseconds(250), step.NextThink()));
        Assert.False(none.Thinks);
    }
}
