using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Tests.Steps;

/// <summary>Runs steps as a suite does: one scenario of them against one target, bound and run by the engine.</summary>
internal static class StepRuns
{
    /// <summary>The figures of <paramref name="steps"/> (JSON, each with a distinct name) in the order written, after <paramref name="iterations"/> iterations.</summary>
    /// <remarks><paramref name="targetFields"/>: more of the target's fields, as JSON members (<c>"http": "2"</c>); <paramref name="copies"/> virtual users share the iterations.</remarks>
    public static async Task<StepSnapshot[]> RunAsync(Uri target, IReadOnlyList<string> steps, bool insecure = false, int iterations = 1, string targetFields = "", int copies = 1)
    {
        SuiteDefinition suite = SuiteLoader.Parse($$"""
            { "targets": { "t": { "url": "{{target}}", "insecure_tls": {{(insecure ? "true" : "false")}}{{(targetFields.Length > 0 ? ", " + targetFields : string.Empty)}} } },
              "scenarios": { "s": { "steps": [ {{string.Join(",\n", steps)}} ], "load": { "iterations_for_constant": { "copies": {{copies}}, "iterations": {{iterations}} } } } } }
            """);
        using BoundSuite bound = SuiteBinder.Bind(suite);
        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);
        IReadOnlyList<StepSnapshot> reported = result.Scenario("s").Steps;
        return suite.Scenarios[0].Steps.Select(s => reported.Single(r => r.Name == s.Name)).ToArray();
    }
}
