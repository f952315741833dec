using Probe.Scenarios.Http;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Http;

public sealed class StepDeadlineTests
{
    [Fact]
    public void Left_IsTheTimeToTheDeadline_ZeroPastIt_AndNeverMoreThanATimerTakes()
    {
        var time = new FakeTimeProvider();
        long deadline = time.GetTimestamp() + StepDeadline.Ticks(time, TimeSpan.FromSeconds(30));
        Assert.Equal(TimeSpan.FromSeconds(30), StepDeadline.Left(time, deadline));

        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(TimeSpan.Zero, StepDeadline.Left(time, deadline));

        // A timeout of a year: a token source or timer made with the time left must not throw.
        long far = time.GetTimestamp() + StepDeadline.Ticks(time, TimeSpan.FromDays(365));
        using var source = new CancellationTokenSource(StepDeadline.Left(time, far), time);
        Assert.InRange(StepDeadline.Left(time, far), TimeSpan.FromDays(49), TimeSpan.FromDays(50));
    }
}
