using System.Text.Json;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Http;

/// <summary>
/// An HTTP request. The body is <see cref="Json"/> (sent as application/json) or <see cref="Text"/>.
/// <see cref="Repeat"/> sends it that many times in a row (to exceed a rate limit, say); the checks
/// apply to the last answer.
/// </summary>
public sealed record HttpStepSpec(
    string Name,
    IReadOnlyList<CheckExpression> Checks,
    TimeSpan Timeout,
    RetrySpec? Retry,
    string? Target,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    JsonElement? Json,
    string? Text,
    bool FollowRedirects,
    long MaxBodyBytes,
    int Repeat,
    IReadOnlyDictionary<string, CheckSubject> Extract)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => HttpStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];

    internal override StepSpec ForWarmUp() => this with { Retry = null, Repeat = Math.Min(Repeat, 2) };
}
