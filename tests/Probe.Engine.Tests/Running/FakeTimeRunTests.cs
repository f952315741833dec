using System.Threading.Channels;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.TestUtils;

namespace Probe.Engine.Tests.Running;

[Collection(RealTimeCollection.Name)]
public class FakeTimeRunTests
{
    [Fact]
    public async Task Run_SeedsK6ProfileOnAFakeClock_TargetsTheRightCopiesAtEverySecond()
    {
        var time = new FakeTimeProvider();
        var progress = Channel.CreateUnbounded<RunProgress>();
        ScenarioDefinition scenario = Scenario
            .Create("ramp", async ctx =>
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, ctx.Cancellation);
                return StepResult.Ok();
            })
            .WithLoadSimulations(Simulation.Stages("2m→10, 5m→50, 2m→0"));

        // The plan starts a lead after the run is set up.
        TimeSpan lead = TimeSpan.FromMilliseconds(50);
        Task<Engine.Verdicts.RunResult> run = LoadRunner.RunAsync([scenario], new RunOptions
        {
            Time = time,
            StartLead = lead,
            GracefulStop = TimeSpan.Zero,
            OnProgress = p => progress.Writer.TryWrite(p),
        });

        // The run has read its start time once it has armed the per-second sampler and its wait for the plan's start.
        Assert.True(SpinWait.SpinUntil(() => time.PendingTimers >= 2, TimeSpan.FromSeconds(30)), "the run did not start");
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5)); // a bound, not a timing: it takes 1–2 s, but a starved 2-core CI box once needed over 2 minutes

        // Walk the clock to the plan's start; from there on, fake time and plan time differ by the lead.
        time.Advance(lead);
        for (int second = 1; second < 540; second++)
        {
            for (int quarter = 0; quarter < 4; quarter++)
            {
                // The engine works on pool threads: before moving the clock, wait until every copy has
                // armed its next delay, and the sampler and the driver theirs.
                int copies = Copies((second - 1) + (quarter / 4.0));
                Assert.True(SpinWait.SpinUntil(() => time.PendingTimers >= copies + 2, TimeSpan.FromSeconds(30)), $"{copies} copies did not settle before {second - 1}.{quarter * 25}s");
                time.Advance(TimeSpan.FromMilliseconds(250));
            }

            RunProgress p = await NextAsync(progress, run, second, time, limit.Token);
            Assert.Equal(TimeSpan.FromSeconds(second), p.Elapsed);
            Assert.True(Copies(second) == p.Scenarios[0].CurrentLoad, $"second {second}: expected {Copies(second)} copies, the run targeted {p.Scenarios[0].CurrentLoad}");
            Assert.True(Copies(second - 1) <= p.Scenarios[0].InFlight || Copies(second) <= p.Scenarios[0].InFlight, $"second {second}: {p.Scenarios[0].InFlight} copies running, {Copies(second)} due");
        }

        // Past the last second the run winds down on pool threads; a timer it arms after a move of the
        // clock would wait for ever, so the clock moves on (a bounded number of times) until the run ends.
        for (int step = 0; step < 40 && !run.IsCompleted; step++)
        {
            Assert.True(SpinWait.SpinUntil(() => run.IsCompleted || time.PendingTimers > 0, TimeSpan.FromSeconds(30)), "the run neither ended nor armed a timer");
            time.Advance(TimeSpan.FromMilliseconds(250));
        }

        Engine.Verdicts.RunResult result = await run.WaitAsync(limit.Token);

        // Each copy finishes an iteration every fake half second: the area under the ramp, twice.
        long copySeconds = Enumerable.Range(0, 540).Sum(s => (long)Copies(s));
        Assert.InRange(result.Scenario("ramp").Iterations.Count, (2 * copySeconds) - 200, (2 * copySeconds) + 200);
    }

    /// <summary>
    /// The next second's progress. A run that ends first shows why (its exception or verdict), and a second that is
    /// never reported says what the clock and the run were doing, instead of a bare cancellation at the limit.
    /// </summary>
    private static async Task<RunProgress> NextAsync(Channel<RunProgress> progress, Task<Engine.Verdicts.RunResult> run, int second, FakeTimeProvider time, CancellationToken limit)
    {
        Task<RunProgress> next = progress.Reader.ReadAsync(limit).AsTask();
        if (await Task.WhenAny(next, run) == run && !next.IsCompleted)
        {
            Engine.Verdicts.RunResult ended = await run;
            Assert.Fail($"the run ended before second {second} was reported: {ended.Verdict}, {string.Join("; ", ended.InvalidReasons)}");
        }

        try
        {
            return await next;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"second {second} was never reported: the fake clock reads {time.GetUtcNow():HH:mm:ss.fff} with {time.PendingTimers} timers pending; the run is {run.Status}");
            throw;
        }
    }

    /// <summary>The seeds' k6 profile, written out independently of the engine: copies due at <paramref name="t"/> seconds.</summary>
    private static int Copies(double t) => t switch
    {
        < 120 => (int)(10 * t / 120),
        < 420 => 10 + (int)(40 * (t - 120) / 300),
        < 540 => 50 - (int)(50 * (t - 420) / 120),
        _ => 0,
    };
}
