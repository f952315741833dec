using Probe.Engine.Results;

namespace Probe.Engine.Core;

/// <summary>The one step of a scenario made by <see cref="Scenario.CreateOneStep"/>.</summary>
internal sealed record OneStep(string Name, Func<ScenarioContext, ValueTask<StepResult>> Run)
{
    /// <summary>What the iteration of a one-step scenario returns: the step's result, or only its outcome and size when it passed; token figures stay with the step.</summary>
    public static StepResult AsIteration(in StepResult step) => step.IsOk ? StepResult.Ok(sizeBytes: step.SizeBytes) : step with { Tokens = null };

    /// <summary>The iteration as ordinary scenario code would run it, through <see cref="ScenarioContext.Step{TState}"/>.</summary>
    public async ValueTask<StepResult> RunAsIteration(ScenarioContext context) =>
        AsIteration(await context.Step(Name, (Self: this, Context: context), static s => s.Self.Run(s.Context)).ConfigureAwait(false));
}
