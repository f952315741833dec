using System.Collections.Concurrent;
using Probe.Engine.Running;
using Probe.Engine.Verdicts;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Binding;

/// <summary>
/// <c>${copy}</c> and <c>${iteration}</c> in an http step: each request carries its own virtual user's and
/// iteration's numbers (a user per account, a unique id per request), as k6's <c>__VU</c> and NBomber's
/// instance number; elsewhere they are refused, not sent as text.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class BuiltInVariablesTests
{
    [Fact]
    public async Task CopyAndIteration_InThePath_AreEachRequestsOwn()
    {
        var paths = new ConcurrentBag<string>();
        await using var server = RawHttpServer.Start((_, path) =>
        {
            paths.Add(path);
            return new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes($$"""
            { "targets": { "t": { "url": "{{server.Address}}" } },
              "scenarios": { "s": {
                "steps": [ { "name": "item", "http": { "path": "/users/${copy}/items/${iteration}", "query": { "n": "${iteration}" } } } ],
                "load": { "iterations_for_constant": { "copies": 3, "iterations": 12 } } } } }
            """), "builtins.json");
        using BoundSuite bound = SuiteBinder.Bind(suite);

        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);

        Assert.Equal(12, result.Scenario("s").Iterations.Ok);
        var parsed = paths.Select(p => p.Split('/', '?', '=')).Select(p => (Copy: int.Parse(p[2], System.Globalization.CultureInfo.InvariantCulture), Iteration: p[4], Query: p[6])).ToList();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), parsed.Select(p => p.Iteration).Order());
        Assert.All(parsed, p => Assert.Equal(p.Iteration, p.Query));
        Assert.All(parsed, p => Assert.InRange(p.Copy, 0, 2));
    }

    [Fact]
    public void CopyOutsideAnHttpStep_IsRefused()
    {
        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes("""
            { "targets": { "t": { "url": "http://127.0.0.1:9" } },
              "golden": { "g": [ { "question": "q", "facts": ["a"] } ] },
              "scenarios": { "s": { "steps": [ { "name": "ask", "rag": { "golden": "g", "headers": { "X-User": "u-${copy}" } } } ] } } }
            """), "builtins.json"));

        Assert.Contains("${copy} and ${iteration} are filled in an http step's path, query, headers and body only", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }
}
