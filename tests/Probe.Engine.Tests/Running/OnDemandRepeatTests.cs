using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;

namespace Probe.Engine.Tests.Running;

/// <summary>
/// <see cref="OnDemandScenario.RepeatAsync"/> warms a scenario's code: its iterations run one after another,
/// each ended as under a load, a failing or throwing one does not stop the rest, and cancellation does.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class OnDemandRepeatTests
{
    [Fact]
    public async Task RepeatAsync_RunsTheIterationsOneAfterAnother_EachEnded()
    {
        var events = new List<string>();
        ScenarioDefinition scenario = Scenario.Create("warm", async ctx =>
        {
            events.Add($"start {ctx.Iteration}");
            ctx.AtIterationEnd(c => events.Add($"end {c.Iteration}"));
            await Task.Yield();
            return ctx.Iteration % 2 == 0 ? StepResult.Ok() : throw new InvalidOperationException("a failing iteration");
        });
        await using var once = new OnDemandScenario(scenario);

        await once.RepeatAsync(4);

        Assert.Equal(["start 0", "end 0", "start 1", "end 1", "start 2", "end 2", "start 3", "end 3"], events);
    }

    [Fact]
    public async Task RepeatAsync_StopsWhenCancelled_AndTheIterationSeesTheCancellation()
    {
        using var stop = new CancellationTokenSource();
        int runs = 0;
        bool sawCancellation = false;
        ScenarioDefinition scenario = Scenario.Create("warm", async ctx =>
        {
            if (++runs == 3)
            {
                await stop.CancelAsync();
                sawCancellation = ctx.Cancellation.IsCancellationRequested;
            }

            return StepResult.Ok();
        });
        await using var once = new OnDemandScenario(scenario);

        await once.RepeatAsync(100, stop.Token);

        Assert.Equal(3, runs);
        Assert.True(sawCancellation);
    }
}
