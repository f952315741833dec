using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>Replays a golden-question set against a RAG endpoint.</summary>
public sealed record RagStepSpec(
    string Name,
    IReadOnlyList<CheckExpression> Checks,
    TimeSpan Timeout,
    RetrySpec? Retry,
    string? Target,
    string Path,
    string Golden,
    string QuestionField,
    string AnswerPath,
    string SourcesPath,
    bool Stream)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => RagStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];

    internal override StepSpec ForWarmUp() => this with { Retry = null };
}
