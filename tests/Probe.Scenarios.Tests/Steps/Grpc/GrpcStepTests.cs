using Grpc.Health.V1;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Scenarios.Suite;
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

    [Fact]
    public async Task Grpc_AnHttp1OnlyServer_FailsWithProtocolSayingGrpcNeedsHttp2()
    {
        await using LoopbackServer http1 = await LoopbackServer.StartAsync(_ => { }, null, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1, Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate);

        StepSnapshot step = (await RunAsync(http1.Address, """{ "name": "plain", "grpc": {} }"""))[0];

        Assert.Equal(FailureReason.Protocol, step.FailureReasons.Keys.Single());
        Assert.True(step.FailureMessages[0].StartsWith("protocol: the server does not speak HTTP/2 here, and gRPC needs it", StringComparison.Ordinal), step.FailureMessages[0]);
    }

    [Fact]
    public async Task GrpcCall_AUnaryMethodOfADescriptorSet_ItsAnswerIsTheBodyAndAnotherStatusFails()
    {
        await using GrpcHealthServer server = await GrpcHealthServer.StartAsync();
        server.Health.SetStatus("shop.v1.Catalog", HealthCheckResponse.Types.ServingStatus.Serving);
        server.Health.SetStatus("shop.v1.Orders", HealthCheckResponse.Types.ServingStatus.NotServing);
        string set = HealthDescriptorSet();
        string Call(string name, string request, string checks = "") =>
            $$"""{ "name": "{{name}}", "grpc": { "method": "grpc.health.v1.Health/Check", "descriptor_set": "{{set}}", "request": {{request}} }{{checks}} }""";

        StepSnapshot[] steps = await RunAsync(server.Address,
            Call("catalog", """{ "service": "shop.v1.Catalog" }""", """, "checks": ["body.status == \"SERVING\"", "latency < 5s"]"""),
            Call("orders", """{ "service": "shop.v1.Orders" }""", """, "checks": ["body.status == \"SERVING\""]"""),
            Call("payments", """{ "service": "shop.v1.Payments" }"""));

        Assert.True(steps[0].Ok == 3, string.Join("; ", steps[0].FailureMessages));
        Assert.Equal(FailureReason.Check, steps[1].FailureReasons.Keys.Single());
        Assert.Contains("NOT_SERVING", steps[1].FailureMessages.Single(), StringComparison.Ordinal);
        Assert.StartsWith("status: grpc.health.v1.Health/Check answered gRPC status NotFound", steps[2].FailureMessages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public void GrpcCall_WrongMethodRequestOrFile_AreSuiteErrorsWithTheirPath()
    {
        string set = HealthDescriptorSet();
        string Suite(string grpc) => $$"""
            { "targets": { "t": { "url": "http://127.0.0.1:9" } }, "scenarios": { "s": { "steps": [
              { "name": "g", "grpc": {{grpc}} } ] } } }
            """;

        SuiteError Error(string grpc) => Assert.Single(Assert.Throws<SuiteException>(() => SuiteLoader.Parse(Suite(grpc), Path.Combine(Path.GetDirectoryName(set)!, "suite.json"))).Errors);

        SuiteError method = Error("""{ "method": "grpc.health.v1.Health/Chek", "descriptor_set": "health.protoset" }""");
        Assert.Equal("$.scenarios.s.steps[0].grpc.method", method.Path);
        Assert.Equal("no method 'grpc.health.v1.Health/Chek' in health.protoset (did you mean 'grpc.health.v1.Health/Check'?); methods: grpc.health.v1.Health/Check, grpc.health.v1.Health/Watch", method.Message);
        Assert.EndsWith("is a streaming method; the grpc step makes unary calls (one request, one answer)", Error("""{ "method": "grpc.health.v1.Health/Watch", "descriptor_set": "health.protoset" }""").Message, StringComparison.Ordinal);
        SuiteError request = Error("""{ "method": "grpc.health.v1.Health/Check", "descriptor_set": "health.protoset", "request": { "servce": "x" } }""");
        Assert.Equal("$.scenarios.s.steps[0].grpc.request", request.Path);
        Assert.StartsWith("request.servce: grpc.health.v1.HealthCheckRequest has no field 'servce' (did you mean 'service'?)", request.Message, StringComparison.Ordinal);
        Assert.StartsWith("cannot read the descriptor set", Error("""{ "method": "a.B/C", "descriptor_set": "missing.protoset" }""").Message, StringComparison.Ordinal);
        Assert.EndsWith("is not a protobuf descriptor set; make one with protoc --include_imports --descriptor_set_out=api.protoset api.proto", Error("""{ "method": "a.B/C", "descriptor_set": "suite.json" }""").Message, StringComparison.Ordinal);
        Assert.Equal("'service' names the service whose health to check; a call names its method instead: leave one of them out", Error("""{ "service": "x", "method": "grpc.health.v1.Health/Check", "descriptor_set": "health.protoset" }""").Message);
    }

    /// <summary>grpc.health.v1's descriptor set (as protoc --descriptor_set_out writes it), in a fresh folder beside a suite.json.</summary>
    private static string HealthDescriptorSet()
    {
        string folder = Path.Combine(Path.GetTempPath(), "probe-grpc-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "health.protoset");
        var set = new Google.Protobuf.Reflection.FileDescriptorSet();
        set.File.Add(Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(HealthReflection.Descriptor.SerializedData));
        File.WriteAllBytes(path, Google.Protobuf.MessageExtensions.ToByteArray(set));
        File.WriteAllText(Path.Combine(folder, "suite.json"), "{}");
        return path;
    }

    private static Task<StepSnapshot[]> RunAsync(Uri address, params string[] steps) => StepRuns.RunAsync(address, steps, iterations: 3);
}
