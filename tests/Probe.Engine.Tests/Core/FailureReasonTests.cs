using Probe.Engine.Results;
using Probe.Engine.Stats;

namespace Probe.Engine.Tests.Core;

public class FailureReasonTests
{
    [Fact]
    public void EveryReason_HasACounterSlotAndALabel()
    {
        Assert.True(Enum.GetValues<FailureReason>().Length <= StepCounters.ReasonSlots, "a new failure reason needs StepCounters.ReasonSlots raised");
        Assert.Equal(FailureReasons.All.Count, FailureReasons.All.Select(r => r.Label()).Distinct().Count());
    }
}
