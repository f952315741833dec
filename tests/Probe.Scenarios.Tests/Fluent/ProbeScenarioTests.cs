using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Fluent;

namespace Probe.Scenarios.Tests.Fluent;

public class ProbeScenarioTests
{
    private static readonly Uri Target = new("http://127.0.0.1:5080");

    [Fact]
    public void Check_BrokenExpression_ThrowsAtOnceWithTheColumn()
    {
        var e = Assert.Throws<FormatException>(() => ProbeScenario.Create("s", Target).Http("h", h => h.Get("/health").Check("status = 200")));
        Assert.Equal("check 'status = 200': column 8: expected ==, !=, <, <=, >, >=, contains, !contains, in, exists or missing after 'status', found '='", e.Message);
    }

    [Fact]
    public void Thresholds_BrokenExpression_ThrowsAtOnce()
    {
        var e = Assert.Throws<FormatException>(() => ProbeScenario.Create("s", Target).Thresholds("p95 < soon"));
        Assert.StartsWith("threshold 'p95 < soon': column 7:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_ThresholdOnAMissingStep_SaysWhichStepsThereAre()
    {
        var e = Assert.Throws<InvalidOperationException>(() => ProbeScenario.Create("s", Target)
            .Http("health", h => h.Get("/health"))
            .Thresholds(new ThresholdSpec("p95 < 1s", Step: "serach"))
            .Build());
        Assert.Equal("threshold 'p95 < 1s' names step 'serach', which scenario 's' does not have; steps: health", e.Message);
    }

    [Fact]
    public void Build_NoSteps_Refuses() =>
        Assert.Equal("scenario 's' has no steps; add one with Http(…) or Rag(…)", Assert.Throws<InvalidOperationException>(() => ProbeScenario.Create("s", Target).Build()).Message);

    [Fact]
    public void Build_GivesTheEngineScenarioWithItsLoadAndThresholds()
    {
        using BoundSuite bound = ProbeScenario.Create("s", Target)
            .Http("health", h => h.Get("/health").Check("status == 200"))
            .Load(Simulation.Stages("1m→10"))
            .Thresholds("p95 < 1s")
            .WarmUp(TimeSpan.FromSeconds(5))
            .Build(new BindOptions { DurationScale = 0.5 });

        var scenario = Assert.Single(bound.Scenarios);
        Assert.Equal("s", scenario.Name);
        Assert.Equal([Simulation.RampingConstant(10, TimeSpan.FromSeconds(30))], scenario.Simulations);
        Assert.Equal("p95 < 1s", Assert.Single(scenario.Thresholds).Expression);
        Assert.Equal(TimeSpan.FromSeconds(2.5), scenario.WarmUp);
    }
}
