using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;

namespace Probe.Browser;

/// <summary>
/// A page journey in a real browser (headless Chromium through Playwright): actions in order, each
/// waiting as a person would for what it needs. Checks see the main document's status as
/// <c>status</c>, the page's visible text as <c>body</c> and the whole journey as <c>latency</c>.
/// </summary>
public sealed record BrowserStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, IReadOnlyList<BrowserAction> Actions)
    : StepSpec(Name, Checks, Timeout, Retry)
{
    internal override StepKind Kind => BrowserStepKind.Instance;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];
}

/// <summary>What a browser action does.</summary>
public enum BrowserActionKind
{
    /// <summary>Load a path of the target (or an absolute URL) and wait for the page's load event.</summary>
    Goto,

    /// <summary>Click the element a selector finds.</summary>
    Click,

    /// <summary>Type <see cref="BrowserAction.Value"/> into the field a selector finds.</summary>
    Fill,

    /// <summary>Wait until the page shows the text.</summary>
    ExpectText,

    /// <summary>Wait until an element the selector finds is visible.</summary>
    ExpectSelector,

    /// <summary>Wait until the page's URL contains the text.</summary>
    ExpectUrl,
}

/// <summary>One action of a journey: its kind, its argument (a path, a selector or a text), and the text a fill types (secrets by reference).</summary>
public sealed record BrowserAction(BrowserActionKind Kind, string Argument, string? Value = null)
{
    /// <summary>The action as the suite wrote it, for failure messages: <c>click "#go"</c>.</summary>
    public override string ToString() => $"{BrowserStepKind.ActionName(Kind)} \"{Argument}\"";
}
