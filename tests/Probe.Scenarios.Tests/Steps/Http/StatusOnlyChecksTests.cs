using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Scenarios.Checks;
using Probe.Scenarios.WarmUp;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// A step whose checks read only the status shares one check input per status; one that reads more
/// must still see the whole answer. The canned server answers every request 200 with a small JSON body.
/// </summary>
public class StatusOnlyChecksTests
{
    [Fact]
    public async Task StatusOnlyCheck_ThatFails_QuotesTheStatusTheTargetGave()
    {
        await using var server = new CannedHttpServer();
        StepSnapshot[] steps = await StepRuns.RunAsync(server.Address, ["""{ "name": "a", "http": { "path": "/" }, "checks": ["status == 201"] }"""], iterations: 5);

        Assert.Equal(5, steps[0].Fail);
        Assert.Equal(5, steps[0].FailureReasons[FailureReason.Check]);
        Assert.Contains(steps[0].FailureMessages, m => m.Contains("201", StringComparison.Ordinal) && m.Contains("200", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StatusOnlyChecks_ThatHold_PassEveryAnswer()
    {
        await using var server = new CannedHttpServer();
        StepSnapshot[] steps = await StepRuns.RunAsync(server.Address, ["""{ "name": "a", "http": { "path": "/" }, "checks": ["status == 200", "status in (200, 204)"] }"""], iterations: 20);

        Assert.Equal(20, steps[0].Ok);
        Assert.Equal(0, steps[0].Fail);
    }

    [Theory]
    [InlineData("size < 10", 0)] // the body is larger: a shared status-only input (size 0) would let this pass
    [InlineData("size > 10", 4)]
    [InlineData("latency > 0ms", 4)]
    public async Task ChecksBesideTheStatus_ReadTheWholeAnswer(string check, long ok)
    {
        await using var server = new CannedHttpServer();
        StepSnapshot[] steps = await StepRuns.RunAsync(server.Address, [$$"""{ "name": "a", "http": { "path": "/" }, "checks": ["status == 200", "{{check}}"] }"""], iterations: 4);

        Assert.Equal(ok, steps[0].Ok);
        Assert.Equal(4 - ok, steps[0].Fail);
    }

    [Fact]
    public void OfStatus_IsOneInputPerStatus_CarryingNothingElse()
    {
        CheckInput ok = CheckInput.OfStatus(200);
        Assert.Same(ok, CheckInput.OfStatus(200));
        Assert.NotSame(ok, CheckInput.OfStatus(404));
        Assert.Equal(200, ok.Status);
        Assert.Null(ok.Body);
        Assert.Equal(0, ok.SizeBytes);
        Assert.Equal(1234, CheckInput.OfStatus(1234).Status); // outside the shared range: a new input, still right
    }
}
