using Probe.Engine.Results;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps;

/// <summary>
/// The place of a kind that ships in a package of its own (the browser step, in Probe.Browser with
/// Playwright). Its name is known, so the suite reader lists it, but until the package puts the real
/// kind here (<see cref="StepKinds.Use"/>) a step of it is an error that names the package to add.
/// </summary>
internal sealed class ApartStepKind(string name, string package, string register) : StepKind
{
    public override string Name => name;

    public override IReadOnlyList<string> Fields => [];

    public override IReadOnlySet<SubjectKind> Subjects { get; } = new HashSet<SubjectKind>();

    public override string Schema => $$"""
        {
          "type": "object",
          "description": "Needs the {{package}} package, which the probe tool carries."
        }
        """;

    public override StepSpec? Read(StepHeader header, SuiteNode body, SuiteContext suite)
    {
        body.Error($"{name} steps come in the {package} package, which this program has not loaded: reference it and call {register} once before reading the suite (the probe tool does)");
        return null;
    }

    public override Func<StepScope, ValueTask<StepResult>> Bind(StepSpec spec, StepBinding binding) =>
        throw new InvalidOperationException($"{name} steps need the {package} package; reading the suite reports this");
}
