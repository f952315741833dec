using Probe.Engine.Core;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;

namespace Probe.Engine.Tests.Thresholds;

public class ThresholdEvaluatorTests
{
    private const long Fast = 10_000_000;
    private const long Slow = 2_000_000_000;

    [Fact]
    public void Evaluate_NoWindow_UsesTheWholeRun()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("p95 < 1s"), snapshot);

        Assert.True(r.Passed);
        Assert.Equal("9.99ms", r.ObservedText);
    }

    [Fact]
    public void Evaluate_Window_ReportsTheWorstWindowAndWhere()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("p95 < 1s over 3s"), snapshot);

        Assert.False(r.Passed);
        Assert.Equal("2s", r.ObservedText);
        Assert.Equal("worst window: seconds 3–6", r.Note);
    }

    [Fact]
    public void Evaluate_ErrorRateOverOneSecond_FindsTheBadSecond()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        Assert.True(ThresholdEvaluator.Evaluate(new ThresholdSpec("error_rate <= 1%"), snapshot).Passed);
        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("error_rate < 5% over 1s"), snapshot);
        Assert.Equal(("10%", false, "worst window: seconds 7–8"), (r.ObservedText, r.Passed, r.Note));
    }

    [Fact]
    public void Evaluate_RpsOverWindow_ReportsTheSlowestWindowForALowerBound()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("rps >= 100 over 2s"), snapshot);

        Assert.True(r.Passed);
        Assert.Equal(100, r.Observed, 9);
    }

    [Fact]
    public void Evaluate_TrailingOnly_LooksAtTheLastWindow()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("p95 < 1s over 3s"), snapshot, trailingOnly: true);

        Assert.True(r.Passed);
        Assert.Equal("worst window: seconds 7–10", r.Note);
    }

    [Fact]
    public void Evaluate_NoResults_FailsLatencyButNotCounts()
    {
        var stats = new ScenarioStats("idle", 1);
        ScenarioSnapshot snapshot = stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0);

        ThresholdResult p95 = ThresholdEvaluator.Evaluate(new ThresholdSpec("p95 < 1s"), snapshot);
        Assert.Equal((false, "n/a", "no results to measure"), (p95.Passed, p95.ObservedText, p95.Note));
        Assert.True(ThresholdEvaluator.Evaluate(new ThresholdSpec("dropped == 0"), snapshot).Passed);
        Assert.False(ThresholdEvaluator.Evaluate(new ThresholdSpec("count > 0"), snapshot).Passed);
    }

    [Fact]
    public void Evaluate_ServiceTime_ReadsTheServiceHistogram()
    {
        var stats = new ScenarioStats("s", 1);
        stats.Iterations.Record(StepResult.Ok(), latencyNs: Slow, serviceNs: Fast);
        ScenarioSnapshot snapshot = stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0);

        Assert.True(ThresholdEvaluator.Evaluate(new ThresholdSpec("service.p99 < 100ms"), snapshot).Passed);
        Assert.False(ThresholdEvaluator.Evaluate(new ThresholdSpec("p99 < 100ms"), snapshot).Passed);
    }

    private static ScenarioSnapshot TenSecondsWithASlowFifthSecond()
    {
        var stats = new ScenarioStats("checkout", 1);
        for (int second = 0; second < 10; second++)
        {
            for (int i = 0; i < 100; i++)
            {
                bool slow = second == 5 && i < 20;
                bool failed = second == 7 && i < 10;
                StepResult result = failed ? StepResult.Fail(FailureReason.Status, statusCode: 500) : StepResult.Ok(200);
                stats.Iterations.Record(result, slow ? Slow : Fast, Fast);
            }

            stats.TakeSecond(second, TimeSpan.FromSeconds(1), load: 100, inFlight: 0);
        }

        return stats.Snapshot(TimeSpan.FromSeconds(10), 0, 0);
    }
}
