using Probe.Engine.Results;

namespace Probe.Engine.Core;

/// <summary>
/// NBomber's way to time a step: <c>await Step.Run("login", ctx, async () =&gt; { …; return Response.Ok(); })</c>,
/// the same as <see cref="ScenarioContext.Step(string, Func{ValueTask{StepResult}})"/>.
/// </summary>
public static class Step
{
    /// <summary>Runs and times the step named <paramref name="name"/> in the iteration of <paramref name="context"/>.</summary>
    public static ValueTask<StepResult> Run(string name, ScenarioContext context, Func<ValueTask<StepResult>> run)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Step(name, run);
    }
}
