using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
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
        await using ConnectionWatch server = await ConnectionWatch.StartAsync();
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
        await using ConnectionWatch server = await ConnectionWatch.StartAsync(answerAfter: TimeSpan.FromMilliseconds(5));
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

    /// <summary>A Kestrel server on loopback that counts each connection's requests and how many connections are open now.</summary>
    private sealed class ConnectionWatch : IAsyncDisposable
    {
        private readonly ConcurrentDictionary<string, int> _requests = new();
        private LoopbackServer? _server;
        private int _open;

        public Uri Address => _server!.Address;

        public int Open => Volatile.Read(ref _open);

        public int[] RequestsPerConnection => [.. _requests.Values];

        public static async Task<ConnectionWatch> StartAsync(TimeSpan answerAfter = default)
        {
            var watch = new ConnectionWatch();
            watch._server = await LoopbackServer.StartAsync(app => app.MapGet("/who", async (HttpContext context) =>
            {
                if (watch._requests.TryAdd(context.Connection.Id, 0))
                {
                    Interlocked.Increment(ref watch._open);
                    context.Features.Get<IConnectionLifetimeFeature>()!.ConnectionClosed.Register(() => Interlocked.Decrement(ref watch._open));
                }

                watch._requests.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
                if (answerAfter > TimeSpan.Zero)
                {
                    await Task.Delay(answerAfter);
                }

                return Results.Text(context.Connection.Id);
            }));
            return watch;
        }

        public ValueTask DisposeAsync() => _server!.DisposeAsync();
    }
}
