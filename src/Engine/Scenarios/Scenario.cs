namespace Probe.Engine.Scenarios;

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
}
