using Probe.Engine.Results;

namespace Probe.Engine.Core;

/// <summary>Creates scenarios: <c>Scenario.Create("search", async ctx =&gt; await ctx.Step("post", …))</c>.</summary>
public static class Scenario
{
    /// <summary>
    /// A scenario named <paramref name="name"/> whose iterations run <paramref name="run"/>. The
    /// iteration's result is what the function returns; steps inside it are timed by
    /// <see cref="ScenarioContext.Step(string, Func{ValueTask{StepResult}})"/>.
    /// </summary>
    public static ScenarioDefinition Create(string name, Func<ScenarioContext, ValueTask<StepResult>> run)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        return new ScenarioDefinition(name, run);
    }

    /// <summary>
    /// A scenario named <paramref name="name"/> whose every iteration is one step, <paramref name="stepName"/>:
    /// the same as <c>Create(name, ctx =&gt; ctx.Step(stepName, () =&gt; step(ctx)))</c> returning the step's
    /// outcome and size, but the engine times the step and the iteration together, so the iteration
    /// costs no clock reads and no async level beyond the step's own. The step's exceptions fail it, as in
    /// <see cref="ScenarioContext.Step(string, Func{ValueTask{StepResult}})"/>.
    /// </summary>
    public static ScenarioDefinition CreateOneStep(string name, string stepName, Func<ScenarioContext, ValueTask<StepResult>> step)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(stepName);
        ArgumentNullException.ThrowIfNull(step);
        return new ScenarioDefinition(name, new OneStep(stepName, step));
    }
}
