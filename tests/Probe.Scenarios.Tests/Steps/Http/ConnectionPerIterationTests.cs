using Microsoft.AspNetCore.Server.Kestrel.Core;
using Probe.Engine.Verdicts;
using Probe.Engine.Running;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// A target with <c>new_connection_per_iteration</c> looks to the server like a fresh browser per
/// iteration: the iteration's requests share one connection, and it is closed when the iteration ends
/// (as k6 closes a VU's connections after each iteration), not left open until the user's next one.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class ConnectionPerIterationTests
{
    private const string TwoRequests = """
        { "name": "flow", "sequence": { "steps": [
          { "name": "first", "http": { "path": "/who" }, "checks": ["status == 200"], "think": "20ms" },
          { "name": "second", "http": { "path": "/who" }, "checks": ["status == 200"] } ] } }
        """;

    [Fact]
    public async Task OnDemandIteration_ItsConnectionIsClosedWhenItEnds()
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http1);
        using BoundSuite bound = SuiteBinder.Bind(Suite(server.Address, ("check", TwoRequests)));
        await using var check = new OnDemandScenario(bound.Scenarios[0]);
        await check.StartAsync();

        IterationOutcome outcome = await check.RunOnceAsync();

        Assert.True(outcome.Result.IsOk, outcome.Result.Message);
        Assert.Equal([2], server.RequestsPerConnection);

        // The suite's clients are still alive: only the iteration's end can have closed it.
        await Poll.UntilAsync(_ => Task.FromResult(server.Open), open => open == 0, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task TwoScenariosOnOneTarget_EachUserKeepsItsOwnConnectionThroughItsIteration()
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http1, answerAfter: TimeSpan.FromMilliseconds(5));
        using BoundSuite bound = SuiteBinder.Bind(Suite(server.Address, ("a", TwoRequests), ("b", TwoRequests)));

        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);

        // User 0 of one scenario is not user 0 of the other: while one thinks between its requests, the
        // other's requests neither take nor close its connection.
        Assert.All(result.Scenarios, s => Assert.Equal(0, s.Iterations.Fail));
        Assert.Equal(16, server.RequestsPerConnection.Sum());
        Assert.All(server.RequestsPerConnection, n => Assert.Equal(2, n));
        Assert.Equal(8, server.RequestsPerConnection.Length);
    }

    private static SuiteDefinition Suite(Uri target, params (string Name, string Step)[] scenarios) => SuiteLoader.Parse($$"""
        { "targets": { "t": { "url": "{{target}}", "new_connection_per_iteration": true } },
          "scenarios": { {{string.Join(", ", scenarios.Select(s => $$"""
            "{{s.Name}}": { "steps": [ {{s.Step}} ], "load": { "iterations_for_constant": { "copies": 1, "iterations": 4 } } }
            """))}} } }
        """);
}
