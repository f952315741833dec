using Grpc.Health.V1;
using Probe.Engine.Core;
using Probe.Engine.Stats;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Grpc;

/// <summary>The grpc step against a real gRPC health service on loopback (Kestrel, HTTP/2).</summary>
[Collection(RealTimeCollection.Name)]
public sealed class GrpcStepTests
{
    [Fact]
    public async Task Grpc_HealthOfServerAndServices_ServingPassesOthersFailWithStatus()
    {
        await using GrpcHealthServer server = await GrpcHealthServer.StartAsync();
        server.Health.SetStatus("shop.v1.Catalog", HealthCheckResponse.Types.ServingStatus.Serving);
        server.Health.SetStatus("shop.v1.Orders", HealthCheckResponse.Types.ServingStatus.NotServing);

        StepSnapshot[] steps = await RunAsync(server.Address,
            """{ "name": "server", "grpc": {} }""",
            """{ "name": "catalog", "grpc": { "service": "shop.v1.Catalog" }, "checks": ["body == \"SERVING\"", "latency < 5s"] }""",
            """{ "name": "orders", "grpc": { "service": "shop.v1.Orders" } }""",
            """{ "name": "payments", "grpc": { "service": "shop.v1.Payments" } }""");

        Assert.True(steps[0].Ok == 3, string.Join("; ", steps[0].FailureMessages));
        Assert.True(steps[1].Ok == 3, string.Join("; ", steps[1].FailureMessages));
        Assert.Equal(["status: service 'shop.v1.Orders' is NOT_SERVING"], steps[2].FailureMessages);
        Assert.Equal(["status: service 'shop.v1.Payments' is SERVICE_UNKNOWN: the server does not know it"], steps[3].FailureMessages);
    }

    [Fact]
    public async Task Grpc_NoServerAndAPlainHttpServer_FailWithConnectAndProtocol()
    {
        await using LoopbackServer http = await LoopbackServer.StartAsync(_ => { });

        StepSnapshot[] down = await RunAsync(new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}"), """{ "name": "down", "grpc": {} }""");
        StepSnapshot[] notGrpc = await RunAsync(http.Address, """{ "name": "plain", "grpc": {} }""");

        Assert.Equal(FailureReason.Connect, down[0].FailureReasons.Keys.Single());
        Assert.NotEqual(0, notGrpc[0].Fail);
        Assert.DoesNotContain(FailureReason.Internal, notGrpc[0].FailureReasons.Keys);
    }

    private static Task<StepSnapshot[]> RunAsync(Uri address, params string[] steps) => StepRuns.RunAsync(address, steps, iterations: 3);
}
