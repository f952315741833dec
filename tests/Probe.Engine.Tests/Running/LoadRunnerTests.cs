using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;

namespace Probe.Engine.Tests.Running;

[Collection(RealTimeCollection.Name)]
public class LoadRunnerTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    [Fact]
    public async Task Run_KeepConstant_RunsExactlyThatManyCopiesAtOnce()
    {
        int running = 0;
        int most = 0;
        var copies = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        ScenarioDefinition scenario = Scenario
            .Create("users", async ctx =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref most, now);
                copies[ctx.CopyId] = true;
                await Task.Delay(Tick, TimeProvider.System, ctx.Cancellation);
                Interlocked.Decrement(ref running);
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.KeepConstant(3, TimeSpan.FromSeconds(1)));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(3, most);
        Assert.Equal([0, 1, 2], copies.Keys.Order());
        Assert.True(result.Scenario("users").Iterations.Count > 30);
        Assert.Equal(Verdict.Passed, result.Verdict);
    }

    [Fact]
    public async Task Run_IterationsForConstant_RunsExactlyThatManyIterations()
    {
        ScenarioDefinition scenario = Scenario
            .Create("batch", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.IterationsForConstant(4, 1_000), Simulation.IterationsForConstant(2, 10));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(1_010, result.Scenario("batch").Iterations.Count);
    }

    [Fact]
    public async Task Run_WarmUp_RunsButDoesNotCountItsIterations()
    {
        int executed = 0;
        ScenarioDefinition scenario = Scenario
            .Create("warm", _ =>
            {
                Interlocked.Increment(ref executed);
                return ValueTask.FromResult(StepResult.Ok());
            })
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)))
            .WithWarmUpDuration(TimeSpan.FromSeconds(1));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(200, executed);
        Assert.Equal(100, result.Scenario("warm").Iterations.Count);
    }

    [Fact]
    public async Task Run_StepsInsideAnIteration_AreCountedPerStepWithStatusReasonAndMessage()
    {
        ScenarioDefinition scenario = Scenario
            .Create("flow", async ctx =>
            {
                await ctx.Step("login", () => ValueTask.FromResult(StepResult.Ok(200, 120)));
                StepResult fetch = await ctx.Step("fetch", ctx.Iteration, static i =>
                    ValueTask.FromResult(i % 4 == 0 ? StepResult.Fail(FailureReason.Status, "503 from the target", 503, 20) : StepResult.Ok(200, 2_000)));
                await ctx.Step("boom", () => throw new InvalidOperationException("scenario bug"));
                return fetch;
            })
            .WithLoadSimulations(Simulation.IterationsForConstant(2, 100));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        ScenarioSnapshot flow = result.Scenario("flow");
        Assert.Equal(["boom", "fetch", "login"], flow.Steps.Select(s => s.Name));
        StepSnapshot fetch = flow.Step("fetch")!;
        Assert.Equal((75, 25), (fetch.Ok, fetch.Fail));
        Assert.Equal(new Dictionary<int, long> { [200] = 75, [503] = 25 }, fetch.StatusCodes);
        Assert.Equal(new Dictionary<FailureReason, long> { [FailureReason.Status] = 25 }, fetch.FailureReasons);
        Assert.Equal(["status: 503 from the target"], fetch.FailureMessages);
        Assert.Equal((75 * 2_000) + (25 * 20), fetch.Bytes);
        Assert.Equal(12_000, flow.Step("login")!.Bytes);
        Assert.Equal(["internal: InvalidOperationException: scenario bug"], flow.Step("boom")!.FailureMessages);
        Assert.Equal((75, 25), (flow.Iterations.Ok, flow.Iterations.Fail));
        Assert.Equal(0.25, flow.Iterations.ErrorRate);
    }

    [Theory]
    [InlineData("closed")]
    [InlineData("open")]
    public async Task Run_OneStepScenario_RecordsWhatTheSameStepInScenarioCodeRecords_AndTimesStepAndIterationAlike(string model)
    {
        // Every kind of outcome: passes, failures with a status, a synchronous throw, a throw after an await.
        static async ValueTask<StepResult> Fetch(ScenarioContext ctx)
        {
            long i = ctx.Iteration;
            if (i % 10 == 3)
            {
                throw new InvalidOperationException("thrown at once");
            }

            await Task.Yield();
            return i % 10 == 7 ? throw new TimeoutException("thrown later")
                : i % 4 == 0 ? StepResult.Fail(FailureReason.Status, "503 from the target", 503, 20)
                : StepResult.Ok(200, 2_000);
        }

        LoadSimulation load = model == "closed" ? Simulation.IterationsForConstant(3, 200) : Simulation.Inject(400, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(0.5));
        ScenarioDefinition code = Scenario
            .Create("code", async ctx =>
            {
                StepResult step = await ctx.Step("fetch", ctx, Fetch);
                return step.IsOk ? StepResult.Ok(sizeBytes: step.SizeBytes) : step;
            })
            .WithLoadSimulations(load);
        ScenarioDefinition oneStep = Scenario.CreateOneStep("one", "fetch", Fetch).WithLoadSimulations(load);

        RunResult result = await LoadRunner.RunAsync([code, oneStep]);

        ScenarioSnapshot expected = result.Scenario("code");
        ScenarioSnapshot actual = result.Scenario("one");
        Assert.Equal(200, actual.Iterations.Count);
        Assert.Equal(["fetch"], actual.Steps.Select(s => s.Name));
        foreach ((StepSnapshot want, StepSnapshot got) in new[] { (expected.Step("fetch")!, actual.Step("fetch")!), (expected.Iterations, actual.Iterations) })
        {
            Assert.Equal((want.Ok, want.Fail, want.Bytes), (got.Ok, got.Fail, got.Bytes));
            Assert.Equal(want.StatusCodes, got.StatusCodes);
            Assert.Equal(want.FailureReasons, got.FailureReasons);
            Assert.Equal(want.FailureMessages.Order(), got.FailureMessages.Order());
        }

        Assert.Contains("internal: InvalidOperationException: thrown at once", actual.Step("fetch")!.FailureMessages);
        Assert.Contains("timeout: thrown later", actual.Step("fetch")!.FailureMessages);

        // One start and one end serve both: the step's latency and service time are the iteration's, to the nanosecond.
        Assert.Equal(actual.Iterations.Latency, actual.Step("fetch")!.Latency);
        Assert.Equal(actual.Iterations.ServiceTime, actual.Step("fetch")!.ServiceTime);
    }

    [Fact]
    public async Task Run_ThresholdFails_VerdictFailedWithObservedValueAndExitCodeOne()
    {
        ScenarioDefinition scenario = Scenario
            .Create("flaky", ctx => ValueTask.FromResult(ctx.Iteration % 10 < 3 ? StepResult.Fail(FailureReason.Status, statusCode: 500) : StepResult.Ok(200)))
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 100))
            .WithThresholds("error_rate < 1%", "p99 < 10s", "failures == 30");

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(Verdict.Failed, result.Verdict);
        Assert.Equal(ExitCode.GateFailed, result.ExitCode);
        ThresholdResult errorRate = result.Thresholds[0];
        Assert.Equal(("flaky", "error_rate < 1%", 0.3, "30%", false), (errorRate.Subject, errorRate.Expression, errorRate.Observed, errorRate.ObservedText, errorRate.Passed));
        Assert.True(result.Thresholds[1].Passed);
        Assert.True(result.Thresholds[2].Passed);
    }

    [Fact]
    public async Task Run_ThresholdOnAStepThatNeverRan_FailsSayingSo()
    {
        ScenarioDefinition scenario = Scenario
            .Create("quiet", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithThresholds(new ThresholdSpec("p95 < 1s", Step: "search"));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        ThresholdResult t = Assert.Single(result.Thresholds);
        Assert.Equal(("quiet/search", false, "step 'search' produced no results"), (t.Subject, t.Passed, t.Note));
    }

    [Fact]
    public async Task Run_AbortOnFail_StopsTheRunEarlyAndMarksItInvalid()
    {
        ScenarioDefinition scenario = Scenario
            .Create("failing", async ctx =>
            {
                await Task.Delay(Tick, TimeProvider.System, ctx.Cancellation);
                return StepResult.Fail(FailureReason.Status, statusCode: 500);
            })
            .WithLoadSimulations(Simulation.KeepConstant(2, TimeSpan.FromMinutes(5)))
            .WithThresholds(new ThresholdSpec("error_rate < 5%", AbortOnFail: true, DelayAbortEval: TimeSpan.FromSeconds(1)));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.StartsWith("threshold 'error_rate < 5%' on failing failed ", result.AbortReason, StringComparison.Ordinal);
        Assert.EndsWith("into the run (observed 100%) and aborts on fail", result.AbortReason, StringComparison.Ordinal);
        Assert.True(result.Duration < TimeSpan.FromMinutes(1));
        Assert.Equal(Verdict.Invalid, result.Verdict);
        Assert.Equal(ExitCode.Invalid, result.ExitCode);
    }

    [Fact]
    public async Task Run_Cancelled_StopsAndSaysSo()
    {
        using var cancel = new CancellationTokenSource();
        ScenarioDefinition scenario = Scenario
            .Create("long", async ctx =>
            {
                await cancel.CancelAsync();
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.KeepConstant(1, TimeSpan.FromMinutes(5)));

        RunResult result = await LoadRunner.RunAsync([scenario], cancellation: cancel.Token);

        Assert.Equal("the run was cancelled", result.AbortReason);
        Assert.Equal(Verdict.Invalid, result.Verdict);
    }

    [Fact]
    public async Task Run_InitPutsData_IterationsSeeItAndCleanRuns()
    {
        string? seen = null;
        bool cleaned = false;
        ScenarioDefinition scenario = Scenario
            .Create("hooks", ctx =>
            {
                seen = (string?)ctx.Data["token"];
                return ValueTask.FromResult(StepResult.Ok());
            })
            .WithInit(ctx =>
            {
                ctx.Data["token"] = "from-init";
                return ValueTask.CompletedTask;
            })
            .WithClean(_ =>
            {
                cleaned = true;
                return ValueTask.CompletedTask;
            });

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal("from-init", seen);
        Assert.True(cleaned);
        Assert.Equal(1, result.Scenario("hooks").Iterations.Count);
    }

    [Fact]
    public async Task Run_InitThrows_RunsNothingAndSaysWhichHookFailed()
    {
        int iterations = 0;
        ScenarioDefinition scenario = Scenario
            .Create("broken", _ =>
            {
                Interlocked.Increment(ref iterations);
                return ValueTask.FromResult(StepResult.Ok());
            })
            .WithInit(_ => throw new InvalidOperationException("no credentials"));

        RunResult result = await LoadRunner.RunAsync([scenario]);

        Assert.Equal(0, iterations);
        Assert.Equal("the init hook of scenario 'broken' failed: InvalidOperationException: no credentials", result.AbortReason);
        Assert.Equal(ExitCode.Invalid, result.ExitCode);
    }

    [Fact]
    public async Task Run_Progress_ReportsLiveFiguresEverySecond()
    {
        var reports = new List<RunProgress>();
        ScenarioDefinition scenario = Scenario
            .Create("watched", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2.5)));

        RunResult result = await LoadRunner.RunAsync([scenario], new RunOptions { OnProgress = p => { lock (reports) { reports.Add(p); } } });

        // Ticks at 1 s and 2 s; a tick that fires late, past the end of a 2.5 s run, takes the final cut.
        Assert.InRange(reports.Count, 2, 3);
        Assert.Equal(TimeSpan.FromSeconds(2.5), reports[0].PlannedDuration);
        Assert.InRange(reports[0].Scenarios[0].Iterations.Count, 45, 55);
        Assert.Equal(50, reports[0].Scenarios[0].CurrentLoad, 6);
        Assert.Equal(125, result.Scenario("watched").Iterations.Count);
        Assert.InRange(result.Scenario("watched").Iterations.Seconds.Count, 2, 3);
        Assert.Equal(125, result.Scenario("watched").Iterations.Seconds.Sum(s => s.Count));
    }

    [Fact]
    public async Task Run_NoThresholdsAndEveryIterationFailing_FailsTheDefaultGate()
    {
        ScenarioDefinition failing = Scenario.Create("failing", _ => ValueTask.FromResult(StepResult.Fail(FailureReason.Status, "status was 500", 500)))
            .WithLoadSimulations(Simulation.IterationsForConstant(2, 20));
        ScenarioDefinition fine = Scenario.Create("fine", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.IterationsForConstant(1, 5));

        RunResult result = await LoadRunner.RunAsync([failing, fine]);

        Assert.Equal(Verdict.Failed, result.Verdict);
        ThresholdResult gate = Assert.Single(result.Thresholds, t => t.Scenario == "failing");
        Assert.Equal(("error_rate == 0%", false, ThresholdSpec.DefaultGateNote), (gate.Expression, gate.Passed, gate.Note));
        Assert.True(Assert.Single(result.Thresholds, t => t.Scenario == "fine").Passed);
    }

    [Fact]
    public async Task RunAsync_TwoScenariosWithOneName_Throws()
    {
        ScenarioDefinition a = Scenario.Create("same", _ => ValueTask.FromResult(StepResult.Ok()));
        var e = await Assert.ThrowsAsync<ArgumentException>(() => LoadRunner.RunAsync([a, a]));
        Assert.StartsWith("Two scenarios are named 'same'; names must be unique.", e.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
