using System.Threading.Channels;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Verdicts;

namespace Probe.Engine.Tests.Running;

[Collection(RealTimeCollection.Name)]
public class LoadControlTests
{
    [Fact]
    public async Task Closed_CopiesChangedAndTakenBack_RunsThemAndRecordsEveryChange()
    {
        var control = new LoadControl();
        var progress = Channel.CreateUnbounded<RunProgress>();
        ScenarioDefinition users = Scenario
            .Create("users", async ctx =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(20), ctx.Cancellation);
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.KeepConstant(2, TimeSpan.FromSeconds(4)), Simulation.Inject(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        Assert.Equal(LoadRefusal.NotRunning, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: 3))).Refusal);
        // What is tested is how the copies follow the changes, not how punctually the closing inject phase
        // starts its iterations: a stall of the test host there (411 ms once, in a clean-clone CI run) made the
        // run rightly invalid and failed this test; the self-check has tests of its own (SelfCheckTests).
        Task<RunResult> run = LoadRunner.RunAsync([users], new RunOptions { Control = control, LateStartsAllowed = 1000, OnProgress = p => progress.Writer.TryWrite(p) });

        RunProgress first = await NextAsync(progress, p => p.Scenarios[0].InFlight == 2);
        Assert.Equal(2, first.Scenarios[0].CurrentLoad);
        LoadChange up = control.Apply(new LoadRequest("users", Copies: 7, Source: "test"));
        Assert.Equal("copies 7", up.Text);

        // The next second runs the new copies, and the live load says so.
        RunProgress raised = await NextAsync(progress, p => p.Scenarios[0].InFlight == 7);
        Assert.Equal(7, raised.Scenarios[0].CurrentLoad);
        Assert.Equal(7, Assert.Single(control.Current()).Controlled);
        Assert.Equal(2, control.Current()[0].Planned);

        // Refusals name the reason: a rate in a closed phase, an unknown scenario, too many copies.
        LoadControlException conflict = Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", RatePerSecond: 10)));
        Assert.Equal(LoadRefusal.Conflict, conflict.Refusal);
        Assert.Contains("set copies, not a rate", conflict.Message, StringComparison.Ordinal);
        LoadControlException unknown = Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("user", Copies: 1)));
        Assert.Equal(LoadRefusal.UnknownScenario, unknown.Refusal);
        Assert.Contains("did you mean 'users'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(LoadRefusal.BadRequest, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: control.MaxCopies + 1))).Refusal);
        Assert.Equal(LoadRefusal.BadRequest, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: 1, RatePerSecond: 1))).Refusal);

        control.Apply(new LoadRequest("users", BackToPlan: true, Source: "test"));
        RunProgress back = await NextAsync(progress, p => p.Scenarios[0].InFlight == 2);
        Assert.Equal(2, back.Scenarios[0].CurrentLoad);
        Assert.Equal(LoadRefusal.Conflict, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", BackToPlan: true))).Refusal);

        // A change in force when the plan moves to the other model ends there, on the record.
        control.Apply(new LoadRequest("users", Copies: 3, Source: "test"));
        RunResult result = await run;

        Assert.Equal(["copies 7", "back to the plan", "copies 3", "back to the plan"], result.LoadChanges.Select(c => c.Text));
        Assert.Equal(["test", "test", "test", "plan"], result.LoadChanges.Select(c => c.Source));
        Assert.Equal(TimeSpan.FromSeconds(4), result.LoadChanges[^1].At);
        Assert.True(result.LoadChanges.Zip(result.LoadChanges.Skip(1)).All(p => p.First.At <= p.Second.At), "changes are in the order they were made");
        Assert.Contains(result.Scenario("users").Load, l => l.Load == 7 && l.InFlight == 7);
        Assert.True(result.IsValid, string.Join("; ", result.InvalidReasons));
        Assert.Equal(LoadRefusal.NotRunning, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: 3))).Refusal);
        Assert.False(control.Running);
    }

    [Fact]
    public async Task Open_RateChangedAndTakenBack_StartsIterationsAtEachRateInTurn()
    {
        var control = new LoadControl();
        var progress = Channel.CreateUnbounded<RunProgress>();
        ScenarioDefinition api = Scenario.Create("api", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4)));

        // What is counted here is which iterations were due, not how punctually they started: a stall of
        // the test host (the self-check's business, tested on its own) must not fail it.
        Task<RunResult> run = LoadRunner.RunAsync([api], new RunOptions { Control = control, LateStartsAllowed = 1000, OnProgress = p => progress.Writer.TryWrite(p) });

        await NextAsync(progress, p => p.Elapsed >= TimeSpan.FromSeconds(1));
        Assert.Equal(LoadRefusal.Conflict, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("api", Copies: 4))).Refusal);
        LoadChange raised = control.Apply(new LoadRequest("api", RatePerSecond: 100));
        RunProgress during = await NextAsync(progress, p => p.Elapsed >= TimeSpan.FromSeconds(2));
        Assert.Equal(100, during.Scenarios[0].CurrentLoad);
        LoadChange back = control.Apply(new LoadRequest("api", BackToPlan: true));
        RunResult result = await run;

        // Evenly spaced: the plan's 10/s up to the change (one at 0 s), 100/s from it, the plan's again after.
        double from = raised.At.TotalSeconds;
        double to = back.At.TotalSeconds;
        long expected = ((long)Math.Floor(from * 10) + 1) + (long)Math.Ceiling((to - from) * 100) + (40 - ((long)Math.Floor(to * 10) + 1));
        Assert.InRange(result.Scenario("api").Iterations.Count, expected - 2, expected + 2);
        Assert.True(result.IsValid, string.Join("; ", result.InvalidReasons));
        Assert.Equal(["rate 100/s", "back to the plan"], result.LoadChanges.Select(c => c.Text));
    }

    [Fact]
    public async Task Open_RateZero_StartsNothingMoreButTheRunKeepsItsLength()
    {
        var control = new LoadControl();
        var progress = Channel.CreateUnbounded<RunProgress>();
        ScenarioDefinition api = Scenario.Create("api", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(20, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3)));
        Task<RunResult> run = LoadRunner.RunAsync([api], new RunOptions { Control = control, OnProgress = p => progress.Writer.TryWrite(p) });

        await NextAsync(progress, p => p.Elapsed >= TimeSpan.FromSeconds(1));
        LoadChange stopped = control.Apply(new LoadRequest("api", RatePerSecond: 0));
        RunResult result = await run;

        long expected = (long)Math.Floor(stopped.At.TotalSeconds * 20) + 1;
        Assert.InRange(result.Scenario("api").Iterations.Count, expected - 1, expected + 1);
        Assert.True(result.Duration >= TimeSpan.FromSeconds(3), $"the run took {result.Duration}, its plan 3 s");
    }

    [Fact]
    public void Change_AfterTheRunAttachedButBeforeTheScenarioStartsItsPlan_IsRefusedAsNotRunningYet()
    {
        // The window a clean-clone CI run met: 'probe control --wait' reached a run whose scenario had not yet
        // entered its first phase, was refused as a conflict (409) and gave up, where 503 would have waited.
        var control = new LoadControl();
        ScenarioDefinition users = Scenario.Create("users", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.KeepConstant(2, TimeSpan.FromSeconds(4)));
        var runtime = new ScenarioRuntime(users, new RunOptions(), CancellationToken.None);
        control.Attach([runtime], runtime.Clock.Now, TimeProvider.System);

        LoadControlException early = Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: 3)));
        Assert.Equal((LoadRefusal.NotRunning, "scenario 'users' has not started its plan yet"), (early.Refusal, early.Message));

        runtime.EnterPhase(0, runtime.Clock.Now);
        Assert.Equal("copies 3", control.Apply(new LoadRequest("users", Copies: 3)).Text);
        runtime.EnterPhase(1, runtime.Clock.Now);
        Assert.Equal(LoadRefusal.Conflict, Assert.Throws<LoadControlException>(() => control.Apply(new LoadRequest("users", Copies: 3))).Refusal);
    }

    /// <summary>The next progress report that satisfies <paramref name="when"/> (the run reports once a second).</summary>
    private static async Task<RunProgress> NextAsync(Channel<RunProgress> progress, Func<RunProgress, bool> when)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            RunProgress p = await progress.Reader.ReadAsync(limit.Token);
            if (when(p))
            {
                return p;
            }
        }
    }
}
