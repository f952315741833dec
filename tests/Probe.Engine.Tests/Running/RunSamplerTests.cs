using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.TestUtils;

namespace Probe.Engine.Tests.Running;

public class RunSamplerTests
{
    [Fact]
    public async Task CutFinal_AnIterationEndingWithinAMillisecondOfTheLastCut_IsCountedInTheLastSecond()
    {
        // The regression: the final cut skipped a remainder shorter than 1 ms, so an iteration that
        // ended in it was in the run's totals but in no second (399 of 400 in the per-second series).
        (FakeTimeProvider time, ScenarioRuntime runtime, RunSampler sampler) = Start();
        await RecordAsync(runtime, time, count: 2);
        time.Advance(TimeSpan.FromSeconds(1));
        sampler.Tick(time.GetTimestamp());
        time.Advance(TimeSpan.FromMilliseconds(0.5));
        await RecordAsync(runtime, time, count: 1);

        sampler.CutFinal(time.GetTimestamp());

        StepSnapshot iterations = runtime.Stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0).Iterations;
        Assert.Equal(3, iterations.Count);
        SecondSample only = Assert.Single(iterations.Seconds);
        Assert.Equal(3, only.Count);
        Assert.Equal(3, only.Latency.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(1000.5), only.Duration);
    }

    [Fact]
    public async Task CutFinal_ARemainderOfAMillisecondOrMore_IsASecondOfItsOwn()
    {
        (FakeTimeProvider time, ScenarioRuntime runtime, RunSampler sampler) = Start();
        await RecordAsync(runtime, time, count: 2);
        time.Advance(TimeSpan.FromSeconds(1));
        sampler.Tick(time.GetTimestamp());
        time.Advance(TimeSpan.FromMilliseconds(250));
        await RecordAsync(runtime, time, count: 4);

        sampler.CutFinal(time.GetTimestamp());

        IReadOnlyList<SecondSample> seconds = runtime.Stats.Snapshot(TimeSpan.FromSeconds(1.25), 0, 0).Iterations.Seconds;
        Assert.Equal([2L, 4L], seconds.Select(s => s.Count));
        Assert.Equal(TimeSpan.FromMilliseconds(250), seconds[1].Duration);
    }

    [Fact]
    public async Task CutFinal_RightAtTheLastCut_StillCountsWhatEndedThen()
    {
        (FakeTimeProvider time, ScenarioRuntime runtime, RunSampler sampler) = Start();
        time.Advance(TimeSpan.FromSeconds(1));
        sampler.Tick(time.GetTimestamp());
        await RecordAsync(runtime, time, count: 1);

        sampler.CutFinal(time.GetTimestamp());

        StepSnapshot iterations = runtime.Stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0).Iterations;
        Assert.Equal(1, iterations.Seconds.Sum(s => s.Count));
    }

    [Fact]
    public async Task RunAsync_TheClockMovesWhileATickRuns_TheNextTickIsStillOnTheWholeSecond()
    {
        // The regression: the per-second timer was periodic, and a fake clock re-arms a periodic timer a period after
        // the time it reads when the callback returns; a clock moved during a tick shifted every later tick (and a
        // test that waited for the report of second 2 at 2.000 s waited for ever).
        var time = new FakeTimeProvider();
        var reported = new List<TimeSpan>();
        (_, _, RunSampler sampler) = Start(time, p =>
        {
            reported.Add(p.Elapsed);
            if (reported.Count == 1)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }
        });
        using var stop = new CancellationTokenSource();
        Task running = sampler.RunAsync(stop.Token);

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromMilliseconds(750));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)], reported);
        await stop.CancelAsync();
        await running;
    }

    [Fact]
    public async Task RunAsync_AStallOfSeveralSeconds_IsReportedOnceAndLaterTicksKeepTheirSeconds()
    {
        var time = new FakeTimeProvider();
        var reported = new List<TimeSpan>();
        (_, _, RunSampler sampler) = Start(time, p => reported.Add(p.Elapsed));
        using var stop = new CancellationTokenSource();
        Task running = sampler.RunAsync(stop.Token);

        time.Advance(TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(3.5));
        time.Advance(TimeSpan.FromSeconds(0.5));

        Assert.Equal([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(5)], reported);
        await stop.CancelAsync();
        await running;
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(3, reported.Count);
    }

    private static (FakeTimeProvider, ScenarioRuntime, RunSampler) Start(FakeTimeProvider? clock = null, Action<RunProgress>? onProgress = null)
    {
        FakeTimeProvider time = clock ?? new FakeTimeProvider();
        var options = new RunOptions { Time = time, OnProgress = onProgress };
        ScenarioDefinition scenario = Scenario.Create("s", _ => ValueTask.FromResult(StepResult.Ok()))
            .WithLoadSimulations(Simulation.Inject(10, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        var runtime = new ScenarioRuntime(scenario, options, CancellationToken.None);
        runtime.StartMeasuringAt(time.GetTimestamp());
        return (time, runtime, new RunSampler([runtime], options, time.GetTimestamp(), _ => { }));
    }

    private static async Task RecordAsync(ScenarioRuntime runtime, FakeTimeProvider time, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ScenarioContext context = runtime.NewContext(0);
            context.IntendedTimestamp = time.GetTimestamp();
            context.StartTimestamp = context.IntendedTimestamp;
            await runtime.RunIteration(context);
        }
    }
}
