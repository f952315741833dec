using Probe.Engine.Core;
using Probe.Engine.Results;

namespace Probe.Engine.Tests.Core;

public class ResponseTests
{
    [Fact]
    public void Ok_WithNBombersTextStatus_IsASuccessWithThatCode()
    {
        Assert.Equal(StepResult.Ok(200, 512), Response.Ok(statusCode: "200", sizeBytes: 512));
        Assert.Equal(StepResult.Ok(), Response.Ok());
    }

    [Theory]
    [InlineData("500", "boom", FailureReason.Status, 500, "boom")]
    [InlineData("404", null, FailureReason.Status, 404, null)]
    [InlineData("timeout", "no answer", FailureReason.Check, 0, "timeout: no answer")]
    [InlineData("200", "wrong answer", FailureReason.Check, 200, "wrong answer")]
    public void Fail_ItsReason_IsStatusFor4xxAnd5xxElseCheck(string status, string? message, FailureReason reason, int code, string? expected)
    {
        StepResult failed = Response.Fail(statusCode: status, message: message);

        Assert.Equal((false, reason, code, expected), (failed.IsOk, failed.Reason, failed.StatusCode, failed.Message));
    }

    [Fact]
    public void Fail_AGivenReason_Wins()
    {
        Assert.Equal(FailureReason.Timeout, Response.Fail(statusCode: 503, reason: FailureReason.Timeout).Reason);
        Assert.Equal(FailureReason.Check, Response.Fail().Reason);
    }
}
