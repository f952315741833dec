using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps.Http;

namespace Probe.Scenarios.Steps.Sequence;

/// <summary>
/// A user flow: steps run in order, each recorded as <c>sequence/step</c>, stopping at the first
/// failure; values extracted by one step (<c>"extract": {"id": "body.transfer_id"}</c>) are used by
/// later ones as <c>${vars.id}</c>. The sequence's own success rate is the flow's.
/// </summary>
public sealed record SequenceStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, IReadOnlyList<HttpStepSpec> Steps)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => SequenceStepKind.Instance;

    internal override bool PassesVariables => true;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => Steps.SelectMany(s => s.TargetsUsed(scenarioTarget));

    internal override StepSpec ForWarmUp() => this with { Retry = null, Steps = Steps.Select(s => (HttpStepSpec)s.ForWarmUp()).ToArray() };
}
