using System.Runtime.CompilerServices;
using Probe.Browser;

namespace Probe.Runner;

/// <summary>
/// The step kinds that ship apart from Probe.Scenarios, registered as soon as this program's code loads:
/// in the probe tool and in every test that drives its commands in process, before any suite is read.
/// </summary>
internal static class StepKindsInUse
{
    [ModuleInitializer]
    internal static void Register() => BrowserSteps.Register();
}
