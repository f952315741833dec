using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

/// <summary>
/// What run.json holds beyond the golden runs (late starts, load changes, several failure reasons)
/// comes back from it unchanged, as <c>probe report DIR</c> reads it.
/// </summary>
public class RunDataRoundTripTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden");

    [Fact]
    public void Write_LateStartsLoadChangesAndFailureReasons_ReadsBackTheSame()
    {
        RunReport failing = RunReport.ReadFolder(Path.Combine(Golden, "failing"));
        var late = new LateStarts(3, [new LateStart(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(19.8)), new LateStart(TimeSpan.FromSeconds(7.5), TimeSpan.FromMilliseconds(11.6))]);
        StepSnapshot iterations = failing.Result.Scenarios[0].Iterations with
        {
            StatusCodes = new SortedDictionary<int, long> { [200] = 7, [503] = 2 },
            FailureReasons = new SortedDictionary<FailureReason, long> { [FailureReason.Timeout] = 1, [FailureReason.Status] = 2 },
        };
        ScenarioSnapshot scenario = failing.Result.Scenarios[0] with { LateStarts = late, Iterations = iterations };
        LoadChange[] changes = [new(TimeSpan.FromSeconds(2), scenario.Name, LoadModel.Open, 200, "control"), new(TimeSpan.FromSeconds(4), scenario.Name, null, null, null)];
        RunReport written = failing with { Result = failing.Result with { Scenarios = [scenario], LoadChanges = changes } };

        using var runJson = new MemoryStream();
        RunDataJson.Write(written, runJson);
        RunResult read = RunReport.Read(runJson.ToArray()).Result;

        ScenarioSnapshot back = read.Scenarios.Single();
        Assert.Equal(3, back.LateStarts.Count);
        Assert.Equal(late.First, back.LateStarts.First);
        Assert.Equal(changes, read.LoadChanges);
        Assert.Equal(iterations.StatusCodes, back.Iterations.StatusCodes);
        Assert.Equal(iterations.FailureReasons, back.Iterations.FailureReasons);
    }
}
