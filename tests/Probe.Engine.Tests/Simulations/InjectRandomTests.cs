using Probe.Engine.Simulations;

namespace Probe.Engine.Tests.Simulations;

public class InjectRandomTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Compile_InjectRandom_IsOneEvenInjectPerIntervalAtARateWithinTheBounds()
    {
        LoadPlan plan = LoadPlan.Compile([Simulation.InjectRandom(5, 15, Second, TimeSpan.FromSeconds(30.5))]);

        Assert.Equal(31, plan.Phases.Count); // 30 whole seconds and the last half
        Assert.Equal(TimeSpan.FromSeconds(30.5), plan.Duration);
        long[] perInterval = plan.Phases.Cast<OpenPhase>().Select(p => p.TotalIterations).ToArray();
        Assert.All(perInterval[..^1], n => Assert.InRange(n, 5, 15));
        Assert.True(perInterval[..^1].Distinct().Count() > 3, string.Join(", ", perInterval)); // drawn, not one rate
        Assert.InRange(perInterval[^1], 2, 8); // half a second at 5 to 15 per second
    }

    [Fact]
    public void Compile_SameSeed_DrawsTheSameRates_AndShardsSplitEachExactly()
    {
        InjectRandomSimulation whole = Simulation.InjectRandom(10, 100, Second, TimeSpan.FromSeconds(20)) with { Seed = 7 };

        long[] once = Rates(whole);
        long[] again = Rates(whole);
        long[][] shards = Enumerable.Range(0, 3).Select(i => Rates(whole.Split(i, 3))).ToArray();
        long[] otherSeed = Rates(whole with { Seed = 8 });

        Assert.Equal(once, again);
        Assert.NotEqual(once, otherSeed);
        Assert.Equal(once, Enumerable.Range(0, once.Length).Select(s => shards.Sum(shard => shard[s])));
    }

    [Fact]
    public void Scale_InjectRandom_ShortensTheDurationAtTheSameRates()
    {
        var scaled = (InjectRandomSimulation)Simulation.InjectRandom(1, 3, Second, TimeSpan.FromMinutes(1)).Scale(0.1);

        Assert.Equal((TimeSpan.FromSeconds(6), 1, 3), (scaled.During!.Value, scaled.MinRate, scaled.MaxRate));
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.InjectRandom(5, 4, Second, Second));
    }

    private static long[] Rates(LoadSimulation simulation) =>
        LoadPlan.Compile([simulation]).Phases.Cast<OpenPhase>().Select(p => p.TotalIterations).ToArray();
}
