using Probe.Engine.Histograms;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Xunit;

namespace Probe.Engine.Tests.Verdicts;

public class RunMergeTests
{
    [Fact]
    public async Task Merge_Shards_CountsAddAndHistogramsMergeExactly()
    {
        RunResult[] shards = [await RunAsync(100, failEvery: 0), await RunAsync(60, failEvery: 5), await RunAsync(40, failEvery: 2)];
        RunResult merged = RunMerge.Merge(shards);

        StepSnapshot all = merged.Scenario("s").Iterations;
        Assert.Equal(200, all.Count);
        Assert.Equal(0 + 12 + 20, all.Fail);
        var expected = new LatencyHistogram(1);
        foreach (RunResult shard in shards)
        {
            expected.Add(shard.Scenario("s").Iterations.LatencyHistogram);
        }

        Assert.Equal(expected.Buckets(), all.LatencyHistogram.Buckets());
        Assert.Equal(expected.Summarize(), all.Latency);
        Assert.Equal(200, merged.Scenario("s").Step("work")!.Count);
        Assert.Equal(32, all.FailureReasons[FailureReason.Status]);
        Assert.Equal(shards.Sum(s => s.Scenario("s").Iterations.Seconds.Sum(x => x.Count)), all.Seconds.Sum(x => x.Count));
    }

    [Fact]
    public async Task Merge_Thresholds_AreJudgedOnTheMergedFigures()
    {
        // Alone, the second shard fails its threshold (20 % errors); together the run has 10 % and passes.
        RunResult[] shards = [await RunAsync(50, failEvery: 0), await RunAsync(50, failEvery: 5)];
        Assert.Equal(Verdict.Failed, shards[1].Verdict);

        RunResult merged = RunMerge.Merge(shards);
        ThresholdAssert(merged, "error_rate < 15%", passed: true, observed: 0.10);
        Assert.Equal(Verdict.Passed, merged.Verdict);
    }

    [Fact]
    public async Task Merge_WithAMissingShard_IsInvalidAndSaysWhy()
    {
        RunResult merged = RunMerge.Merge([await RunAsync(10, failEvery: 0)], ["shard 1 of 2 did not finish"]);
        Assert.Equal(Verdict.Invalid, merged.Verdict);
        Assert.Equal(ExitCode.Invalid, merged.ExitCode);
        Assert.Contains("shard 1 of 2 did not finish", merged.InvalidReasons);
    }

    private static void ThresholdAssert(RunResult result, string expression, bool passed, double observed)
    {
        var t = Assert.Single(result.Thresholds, t => t.Expression == expression);
        Assert.Equal(passed, t.Passed);
        Assert.Equal(observed, t.Observed, 6);
    }

    private static Task<RunResult> RunAsync(int iterations, int failEvery)
    {
        ScenarioDefinition scenario = Scenario.Create("s", async ctx => await ctx.Step("work", () =>
                ValueTask.FromResult(failEvery > 0 && ctx.Iteration % failEvery == 0 ? StepResult.Fail(FailureReason.Status, "HTTP 503", 503) : StepResult.Ok(200))))
            .WithLoadSimulations(Simulation.IterationsForConstant(1, iterations))
            .WithThresholds("error_rate < 15%");
        return LoadRunner.RunAsync([scenario]);
    }
}
