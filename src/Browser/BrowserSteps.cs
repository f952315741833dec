using Probe.Scenarios.Steps;

namespace Probe.Browser;

/// <summary>
/// Makes <c>browser</c> steps readable in suite files of this process. The probe tool does this at
/// start; a C# test that loads a suite with browser steps calls <see cref="Register"/> once first.
/// Without it, a browser step is an error that names this package.
/// </summary>
public static class BrowserSteps
{
    /// <summary>Registers the browser step kind; calling it again changes nothing.</summary>
    public static void Register() => StepKinds.Use(BrowserStepKind.Instance);
}
