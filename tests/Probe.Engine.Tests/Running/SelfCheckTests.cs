using Probe.Engine.Histograms;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;

namespace Probe.Engine.Tests.Running;

public class SelfCheckTests
{
    public static TheoryData<string, long, long, bool> Cases => new()
    {
        // name, iterations started, late starts, invalid
        { "no late start", 60, 0, false },
        { "one start-up stall in a short run", 3, 1, false },
        { "two late of sixty", 60, 2, false },
        { "three late of sixty", 60, 3, true },
        { "1% of a long run", 10_000, 100, false },
        { "over 1% of a long run", 10_000, 101, true },
        { "every start of a short run late", 3, 3, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void SelfCheck_LateStarts_InvalidOnlyPastTheCountAndTheShare(string name, long started, long late, bool invalid)
    {
        _ = name;
        ScenarioSnapshot snapshot = Snapshot(started, late);

        string[] reasons = LoadRunner.SelfCheck(Scenario.Create("s", _ => ValueTask.FromResult(StepResult.Ok())), snapshot, new RunOptions()).ToArray();

        Assert.Equal(invalid, reasons.Length > 0);
    }

    [Fact]
    public void SelfCheck_TooManyLateStarts_SaysHowManyOfHowManyAndWhen()
    {
        ScenarioSnapshot snapshot = Snapshot(60, 3);

        string reason = Assert.Single(LoadRunner.SelfCheck(Scenario.Create("messages", _ => ValueTask.FromResult(StepResult.Ok())), snapshot, new RunOptions()));

        Assert.Equal(
            "scenario 'messages': 3 of 60 iterations (5%) started more than 10ms after they were due (at most 2 may): the generator could not hold the schedule, "
            + "so its own delay would pass for the target's latency; the first late starts, into the run: 100ms (+25ms), 200ms (+25ms), 300ms (+25ms)",
            reason);
    }

    private static ScenarioSnapshot Snapshot(long started, long late)
    {
        var lag = new LatencyHistogram(1);
        lag.Record(1_000, started);
        LateStart[] first = Enumerable.Range(1, (int)Math.Min(late, LateStarts.Kept)).Select(i => new LateStart(TimeSpan.FromMilliseconds(100 * i), TimeSpan.FromMilliseconds(25))).ToArray();
        StepSnapshot none = SnapshotMerge.FromSeconds("s", []).Iterations;
        return new ScenarioSnapshot
        {
            Name = "s",
            Iterations = none,
            Steps = [],
            SchedulerLag = lag.Summarize(),
            LateStarts = new LateStarts(late, first),
            Dropped = 0,
            CurrentLoad = 0,
            InFlight = 0,
            Load = [],
        };
    }
}
