using Probe.Engine.Results;
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

    [Theory]
    [InlineData("goodput(ttft < 1s, tpot < 50ms) >= 60%", true, "60%", "6 of 10 requests met every objective")]
    [InlineData("goodput(ttft < 1s, tpot < 50ms) > 60%", false, "60%", "6 of 10 requests met every objective")]
    [InlineData("goodput(ttft < 1s) >= 70%", true, "70%", "7 of 10 requests met every objective")]
    [InlineData("goodput(e2e < 1s) >= 70%", true, "70%", "7 of 10 requests met every objective")]
    [InlineData("goodput(e2e < 500ms) >= 70%", false, "60%", "6 of 10 requests met every objective")]
    [InlineData("ttft p50 < 250ms", true, "200ms", null)]
    [InlineData("ttft max < 1s", false, "1.5s", null)]
    [InlineData("tpot p80 <= 20.1ms", true, "20ms", null)]
    [InlineData("tpot max < 50ms", false, "80ms", null)]
    [InlineData("itl p50 < 21ms", true, "20ms", null)]
    [InlineData("output_tps min > 5", true, "5.95 tokens/s", null)]
    [InlineData("output_tps p50 >= 26.3", true, "26.32 tokens/s", null)]
    public void Evaluate_LlmFigures_OnAKnownMixOfAnswers(string expression, bool passes, string observed, string? note)
    {
        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec(expression), KnownLlmMix());

        Assert.True(r.Passed == passes, $"{expression}: observed {r.ObservedText} ({r.Note})");
        Assert.Equal(observed, r.ObservedText);
        Assert.Equal(note, r.Note);
    }

    [Fact]
    public void Evaluate_LlmThresholdOnAScenarioThatAskedNoModel_FailsAndSaysSo()
    {
        ThresholdResult r = ThresholdEvaluator.Evaluate(new ThresholdSpec("ttft p95 < 1s"), TenSecondsWithASlowFifthSecond());

        Assert.False(r.Passed);
        Assert.Equal("no LLM answers to measure: no step of the scenario asked a model", r.Note);
    }

    [Fact]
    public void Evaluate_HttpReqDuration_ReadsEveryRequestOfEveryStepNotWholeIterations()
    {
        // Ten iterations of two requests: login 100 ms, search 300 ms (one failed), iteration 400 ms.
        var stats = new ScenarioStats("shop", 1);
        const long ms = 1_000_000;
        for (int i = 0; i < 10; i++)
        {
            stats.Step("login").Record(StepResult.Ok(200), 100 * ms, 100 * ms);
            stats.Step("search").Record(i == 0 ? StepResult.Fail(FailureReason.Status, statusCode: 500) : StepResult.Ok(200), 300 * ms, 300 * ms);
            stats.Iterations.Record(StepResult.Ok(200), 400 * ms, 400 * ms);
        }

        stats.TakeSecond(0, TimeSpan.FromSeconds(1), load: 1, inFlight: 0);
        ScenarioSnapshot snapshot = stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0);

        ThresholdResult requests = ThresholdEvaluator.Evaluate(new ThresholdSpec("http_req_duration p(50)<500"), snapshot);
        ThresholdResult iterations = ThresholdEvaluator.Evaluate(new ThresholdSpec("iteration_duration p(50)<500"), snapshot);
        ThresholdResult failed = ThresholdEvaluator.Evaluate(new ThresholdSpec("http_req_failed rate<0.01"), snapshot);
        ThresholdResult count = ThresholdEvaluator.Evaluate(new ThresholdSpec("http_reqs count==20"), snapshot);

        Assert.InRange(requests.Observed / ms, 99, 101); // the median of 10 × 100 ms and 10 × 300 ms requests
        Assert.InRange(iterations.Observed / ms, 399, 401);
        Assert.Equal(("5%", false), (failed.ObservedText, failed.Passed)); // 1 of 20 requests
        Assert.True(count.Passed);
    }

    [Fact]
    public void Evaluate_HttpReqDuration_LeavesOutASequenceWhoseRequestsAreRecordedUnderIt()
    {
        // A sequence 'flow' of two 100 ms requests and 1 s of think time: flow records 1.2 s, its requests 100 ms each.
        var stats = new ScenarioStats("shop", 1);
        const long ms = 1_000_000;
        for (int i = 0; i < 10; i++)
        {
            stats.Step("flow/login").Record(StepResult.Ok(200), 100 * ms, 100 * ms);
            stats.Step("flow/search").Record(StepResult.Ok(200), 100 * ms, 100 * ms);
            stats.Step("flow").Record(StepResult.Ok(), 1200 * ms, 1200 * ms);
            stats.Step("flowers").Record(StepResult.Ok(200), 100 * ms, 100 * ms);
            stats.Iterations.Record(StepResult.Ok(), 1300 * ms, 1300 * ms);
        }

        stats.TakeSecond(0, TimeSpan.FromSeconds(1), load: 1, inFlight: 0);
        ScenarioSnapshot snapshot = stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0);

        ThresholdResult max = ThresholdEvaluator.Evaluate(new ThresholdSpec("http_req_duration max<500"), snapshot);
        ThresholdResult count = ThresholdEvaluator.Evaluate(new ThresholdSpec("http_reqs count==30"), snapshot);

        Assert.True(max.Passed, max.ObservedText);
        Assert.True(count.Passed, $"{count.Observed} requests");
    }

    [Fact]
    public void Evaluate_ChecksRate_IsTheShareOfCheckEvaluationsThatHeld()
    {
        ScenarioSnapshot snapshot = TenSecondsWithASlowFifthSecond();

        ThresholdResult held = ThresholdEvaluator.Evaluate(new ThresholdSpec("checks rate>0.99"), snapshot with { Checks = new CheckTotals(2000, 10) });
        ThresholdResult below = ThresholdEvaluator.Evaluate(new ThresholdSpec("checks rate>0.99"), snapshot with { Checks = new CheckTotals(2000, 30) });
        ThresholdResult none = ThresholdEvaluator.Evaluate(new ThresholdSpec("checks rate>0.99"), snapshot);

        Assert.Equal((true, "99.5%", "1990 of 2000 checks held"), (held.Passed, held.ObservedText, held.Note));
        Assert.Equal((false, "98.5%"), (below.Passed, below.ObservedText));
        Assert.Equal((false, "no checks were evaluated"), (none.Passed, none.Note));
    }

    /// <summary>
    /// Ten requests: six fast and smooth (TTFT 200 ms, ten tokens 20 ms apart), two slow to start
    /// (TTFT 1.5 s), one slow to decode (TPOT 80 ms) and one failed.
    /// </summary>
    private static ScenarioSnapshot KnownLlmMix()
    {
        var stats = new ScenarioStats("chat", 1);
        const long ms = 1_000_000;
        foreach ((long ttft, long gap, bool ok) in Enumerable.Repeat((200 * ms, 20 * ms, true), 6)
            .Concat(Enumerable.Repeat((1500 * ms, 20 * ms, true), 2)).Append((200 * ms, 80 * ms, true)).Append((0L, 0L, false)))
        {
            var tokens = new TokenTimings
            {
                Ok = ok,
                Streamed = true,
                TimeToFirstTokenNs = ok ? ttft : -1,
                EndToEndNs = ok ? ttft + (9 * gap) : 30 * ms,
                OutputTokens = ok ? 10 : -1,
                CountedFromUsage = ok,
                GapsNs = ok ? Enumerable.Repeat(gap, 9).ToArray() : [],
            };
            StepResult result = (ok ? StepResult.Ok(200) : StepResult.Fail(FailureReason.Stream)) with { Tokens = tokens };
            stats.Step("ask").Record(result, tokens.EndToEndNs, tokens.EndToEndNs);
            stats.Iterations.Record(result with { Tokens = null }, tokens.EndToEndNs, tokens.EndToEndNs);
        }

        stats.TakeSecond(0, TimeSpan.FromSeconds(1), load: 1, inFlight: 0);
        return stats.Snapshot(TimeSpan.FromSeconds(1), 0, 0);
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
