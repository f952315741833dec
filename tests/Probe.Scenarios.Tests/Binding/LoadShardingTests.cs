using Probe.Engine.Simulations;
using Probe.Scenarios.Binding;
using Xunit;

namespace Probe.Scenarios.Tests.Binding;

public class LoadShardingTests
{
    [Theory]
    [InlineData(100, 4)]
    [InlineData(10, 4)]
    [InlineData(7, 3)]
    [InlineData(1, 5)]
    [InlineData(0, 2)]
    public void Share_OverAllShards_AddsUpToTheWholeAndDiffersByAtMostOne(int total, int shards)
    {
        int[] parts = Enumerable.Range(0, shards).Select(i => LoadSharding.Share(total, new ShardIdentity(i, shards))).ToArray();
        Assert.Equal(total, parts.Sum());
        Assert.True(parts.Max() - parts.Min() <= 1);
        Assert.Equal(parts.OrderDescending(), parts);
    }

    [Fact]
    public void Split_EveryLoadKind_ShardsTogetherMakeTheWhole()
    {
        LoadSimulation[] plan =
        [
            Simulation.RampingConstant(10, TimeSpan.FromMinutes(2)),
            Simulation.KeepConstant(50, TimeSpan.FromMinutes(5)),
            Simulation.Pause(TimeSpan.FromSeconds(10)),
            Simulation.Inject(103, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1)),
            Simulation.RampingInject(0, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)),
            Simulation.IterationsForConstant(3, 12),
            Simulation.IterationsForInject(9, TimeSpan.FromSeconds(1), 100),
        ];
        var shards = Enumerable.Range(0, 4).Select(i => LoadSharding.Split(plan, new ShardIdentity(i, 4))).ToArray();

        Assert.Equal(10, shards.Sum(s => ((RampingConstantSimulation)s[0]).Copies));
        Assert.Equal(50, shards.Sum(s => ((KeepConstantSimulation)s[1]).Copies));
        Assert.All(shards, s => Assert.Equal(TimeSpan.FromMinutes(5), s[1].During));
        Assert.All(shards, s => Assert.Equal(plan[2], s[2]));
        Assert.Equal(103, shards.Sum(s => ((InjectSimulation)s[3]).Rate));
        Assert.Equal(0, shards.Sum(s => ((RampingInjectSimulation)s[4]).Rate));
        Assert.Equal(12, shards.Sum(s => ((IterationsForConstantSimulation)s[5]).Iterations));
        Assert.Equal(100, shards.Sum(s => ((IterationsForInjectSimulation)s[6]).Iterations));
    }

    [Fact]
    public void Split_OneShard_IsThePlanItself()
    {
        LoadSimulation[] plan = [Simulation.KeepConstant(5, TimeSpan.FromSeconds(10))];
        Assert.Same(plan, LoadSharding.Split(plan, ShardIdentity.Whole));
    }

    [Theory]
    [InlineData("0/4", 0, 4)]
    [InlineData("3/4", 3, 4)]
    public void Parse_GoodShard_ReadsIndexAndCount(string text, int index, int count) =>
        Assert.Equal(new ShardIdentity(index, count), ShardIdentity.Parse(text, out _));

    [Theory]
    [InlineData("4/4")]
    [InlineData("1")]
    [InlineData("-1/4")]
    [InlineData("0/0")]
    [InlineData("a/b")]
    public void Parse_BadShard_SaysWhatIsExpected(string text)
    {
        Assert.Null(ShardIdentity.Parse(text, out string? error));
        Assert.Contains("--shard takes i/N with 0 <= i < N <= 1000", error, StringComparison.Ordinal);
    }
}
