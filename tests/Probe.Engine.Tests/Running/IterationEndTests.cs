using System.Collections.Concurrent;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Verdicts;

namespace Probe.Engine.Tests.Running;

/// <summary>
/// What a step holds for one iteration only is let go when the iteration ends
/// (<see cref="ScenarioContext.AtIterationEnd"/>): once per iteration, after it and before the user's next.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class IterationEndTests
{
    [Fact]
    public async Task AtIterationEnd_RunsOnceAfterEachIterationBeforeTheUsersNext()
    {
        var events = new ConcurrentDictionary<int, List<string>>();
        Action<ScenarioContext> end = c => events[c.CopyId].Add($"end {c.Iteration}");
        ScenarioDefinition scenario = Scenario
            .Create("users", async ctx =>
            {
                events.GetOrAdd(ctx.CopyId, _ => []).Add($"start {ctx.Iteration}");
                ctx.AtIterationEnd(end);
                await Task.Yield();
                ctx.AtIterationEnd(end); // asked twice in one iteration: runs once
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(2, 20));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(20, result.Scenario("users").Iterations.Count);
        Assert.Equal(2, events.Count);
        foreach (List<string> user in events.Values)
        {
            // Each user's own iterations, in turn: start n, end n, start m, end m…
            Assert.Equal(0, user.Count % 2);
            for (int i = 0; i < user.Count; i += 2)
            {
                Assert.StartsWith("start ", user[i], StringComparison.Ordinal);
                Assert.Equal("end " + user[i]["start ".Length..], user[i + 1]);
            }
        }

        Assert.Equal(40, events.Values.Sum(u => u.Count));
    }

    [Fact]
    public async Task AtIterationEnd_ActionThatThrows_IsLoggedAndDoesNotFailTheIteration()
    {
        var log = new ConcurrentQueue<string>();
        ScenarioDefinition scenario = Scenario
            .Create("users", ctx =>
            {
                ctx.AtIterationEnd(_ => throw new InvalidOperationException("could not close"));
                return ValueTask.FromResult(StepResult.Ok());
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 3));

        RunResult result = await LoadRunner.RunAsync([scenario], new RunOptions { Log = log.Enqueue });

        Assert.Equal(0, result.Scenario("users").Iterations.Fail);
        Assert.Equal(3, log.Count(l => l.Contains("InvalidOperationException: could not close", StringComparison.Ordinal)));
    }
}
