using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.TestUtils;

namespace Probe.Engine.Tests.Running;

[Collection(RealTimeCollection.Name)]
public class OpenModelTests
{
    [Fact]
    public async Task Run_TargetStallsForOneSecond_LatencyShowsTheStallAndServiceTimeDoesNot()
    {
        // The target answers at once, except that the 400th request (2 s into a 200/s run) starts a
        // 1 s stall: every request arriving during it waits until it ends.
        int requests = 0;
        long stallUntil = 0;
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", async () =>
        {
            long now = TimeProvider.System.GetTimestamp();
            if (Interlocked.Increment(ref requests) == 400)
            {
                Interlocked.Exchange(ref stallUntil, now + TimeProvider.System.TimestampFrequency);
            }

            long until = Interlocked.Read(ref stallUntil);
            if (now < until)
            {
                await Task.Delay(TimeProvider.System.GetElapsedTime(now, until), TimeProvider.System);
            }

            return Microsoft.AspNetCore.Http.Results.Text("ok"); // qualified: Probe.Engine.Results is a namespace here
        }));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 4 }) { BaseAddress = server.Address };

        ScenarioDefinition scenario = Scenario
            .Create("stall", async ctx => await ctx.Step("get", async () =>
            {
                using HttpResponseMessage response = await client.GetAsync("/", ctx.Cancellation);
                return response.IsSuccessStatusCode ? StepResult.Ok((int)response.StatusCode) : StepResult.Fail(FailureReason.Status, statusCode: (int)response.StatusCode);
            }))
            .WithLoadSimulations(Simulation.Inject(200, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)))
            .WithMaxInFlight(4, maxQueued: 10_000);

        RunResult result = await LoadRunner.RunAsync([scenario]);

        StepSnapshot iterations = result.Scenario("stall").Iterations;
        Assert.InRange(iterations.Count, 1980, 2020);
        Assert.Equal(0, iterations.Fail);
        Assert.True(iterations.Latency.P99Nanoseconds > 800_000_000, $"latency p99 {iterations.Latency.P99Nanoseconds} ns should reflect the 1 s stall");
        Assert.True(iterations.ServiceTime.P99Nanoseconds < 200_000_000, $"service time p99 {iterations.ServiceTime.P99Nanoseconds} ns should not");
        Assert.True(iterations.Latency.MaxNanoseconds > 900_000_000);
        StepSnapshot step = result.Scenario("stall").Step("get")!;
        Assert.Equal(iterations.Count, step.Count);
        Assert.True(step.Latency.P99Nanoseconds > 800_000_000);
        Assert.Equal(0, result.Scenario("stall").Dropped);
        Assert.Equal(iterations.Count, step.StatusCodes[200]);
    }

    [Fact]
    public async Task Run_InFlightCapAndQueueFull_DropsAndCountsIterationsAndMarksTheRunInvalid()
    {
        int started = 0;
        ScenarioDefinition scenario = Scenario
            .Create("capped", async ctx =>
            {
                Interlocked.Increment(ref started);
                await Task.Delay(TimeSpan.FromMilliseconds(300), TimeProvider.System, ctx.Cancellation);
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)))
            .WithMaxInFlight(2);

        RunResult result = await LoadRunner.RunAsync([scenario]);

        ScenarioSnapshot snapshot = result.Scenario("capped");
        Assert.Equal(100, started + snapshot.Dropped);
        Assert.InRange(snapshot.Dropped, 80, 98);
        Assert.Equal(started, snapshot.Iterations.Count);
        Assert.Equal(Verdict.Invalid, result.Verdict);
        Assert.Equal(ExitCode.Invalid, result.ExitCode);
        Assert.Contains(result.InvalidReasons, r => r.StartsWith($"scenario 'capped': {snapshot.Dropped} iterations dropped because 2 were in flight and the queue (0) was full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_LagAboveTheBound_MarksTheRunInvalidInsteadOfReportingTheTarget()
    {
        ScenarioDefinition scenario = Scenario
            .Create("empty", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(50, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        // No generator starts an iteration within a nanosecond of its tick: the bound must trip.
        RunResult result = await LoadRunner.RunAsync([scenario], new RunOptions { LagBound = TimeSpan.FromTicks(1) });

        Assert.Equal(Verdict.Invalid, result.Verdict);
        LateStarts late = result.Scenario("empty").LateStarts;
        Assert.InRange(late.Count, 3, 50);
        Assert.Equal(LateStarts.Kept, late.First.Count);
        Assert.Contains(result.InvalidReasons, r => r.StartsWith($"scenario 'empty': {late.Count} of 50 iterations (", StringComparison.Ordinal) && r.Contains("started more than 0.1us after they were due (at most 2 may)", StringComparison.Ordinal));
        Assert.Equal(50, result.Scenario("empty").Iterations.Count);
    }

    [Fact]
    public async Task Run_EmptyScenarioAtModestRate_IsValidWithEveryIterationCounted()
    {
        ScenarioDefinition scenario = Scenario
            .Create("empty", _ => ValueTask.FromResult(StepResult.Ok(200, 10)))
            .WithLoadSimulations(Simulation.RampingInject(400, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)))
            .WithThresholds("count == 400", "rps > 150");

        // What is counted here is that every promised iteration was started or dropped, not how punctually:
        // a stall of the test host (the self-check's business, tested on its own) must not fail it.
        RunResult result = await LoadRunner.RunAsync([scenario], new RunOptions { LateStartsAllowed = 1000 });

        Assert.True(result.IsValid, string.Join("; ", result.InvalidReasons));
        Assert.Equal(400, result.Scenario("empty").Iterations.Count);
        Assert.Equal(4_000, result.Scenario("empty").Iterations.Bytes);
        Assert.True(result.Verdict == Verdict.Passed, string.Join("; ", result.Thresholds.Select(t => $"{t.Expression}: {t.ObservedText}")) + $" in {result.Duration}");
        Assert.Equal(400, result.Scenario("empty").Iterations.Seconds.Sum(s => s.Count));
    }
}
