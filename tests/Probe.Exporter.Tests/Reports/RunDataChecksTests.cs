using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

/// <summary>run.json carries each scenario's check tallies, so a sharded run judges k6's 'checks rate' on every shard's evaluations.</summary>
public class RunDataChecksTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden");

    [Fact]
    public void Merge_TwoShardsFromTheirRunJson_JudgesChecksRateOnBothShardsEvaluations()
    {
        RunReport demo = RunReport.ReadFolder(Path.Combine(Golden, "demo"));
        var spec = new ThresholdSpec("checks rate>0.99");

        // Shard 0 alone would pass (0.5% failed); with shard 1 (3% failed), 1.75% of all checks failed.
        RunResult[] shards = [Shard(demo, spec, new CheckTotals(1000, 5)), Shard(demo, spec, new CheckTotals(1000, 30))];
        RunResult merged = RunMerge.Merge(shards);

        Assert.True(shards[0].Thresholds.Single().Passed);
        ThresholdResult checks = merged.Thresholds.Single();
        Assert.Equal((false, "98.25%"), (checks.Passed, checks.ObservedText));
        Assert.Equal(new CheckTotals(2000, 35), merged.Scenarios[0].Checks);
    }

    /// <summary>A shard's result as <c>probe report --run-id</c> reads it: written to run.json and read back.</summary>
    private static RunResult Shard(RunReport demo, ThresholdSpec spec, CheckTotals checks)
    {
        ScenarioSnapshot scenario = demo.Result.Scenarios[0] with { Checks = checks };
        RunResult result = demo.Result with { Scenarios = [scenario], Thresholds = [ThresholdEvaluator.Evaluate(spec, scenario)] };
        using var runJson = new MemoryStream();
        RunDataJson.Write(demo with { Result = result }, runJson);
        return RunReport.Read(runJson.ToArray()).Result;
    }
}
