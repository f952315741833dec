using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// http steps against real Kestrel servers on loopback over TLS and HTTP/2: the lean client's TLS
/// (phases, certificate failures, ALPN), the HTTP version a target asks for, and the connection
/// policies (new connections per iteration, a cap, HTTP/2 streams per connection, client certificates).
/// The server records each request's protocol and connection, so the tests see what went over the wire.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class HttpsStepTests
{
    private const string Who = """{ "name": "who", "http": { "path": "/who" } }""";

    [Fact]
    public async Task Https_KeepAlive_TimesTheHandshakeOnceAndReusesTheConnection()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using Recorder server = await Recorder.StartAsync(certificate);

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who], insecure: true, iterations: 5, targetFields: "\"http\": \"1.1\""))[0];

        Assert.True(step.Ok == 5, string.Join("; ", step.FailureMessages));
        Assert.Equal(["HTTP/1.1"], server.Protocols);
        Assert.Equal(1, server.Connections);
        Assert.Equal(1, step.Phases["tls"].Count); // the first request opened the connection: its handshake is timed, once
        Assert.True(step.Phases["tls"].MaxNanoseconds > 0);
        Assert.Equal(1, step.Phases["connect"].Count);
    }

    [Theory]
    [InlineData(true, "New, TLS", 4)] // a fresh browser: a full handshake every iteration
    [InlineData(false, "Reused, TLS", 3)] // kept alive (this server closes after each answer): the next connections resume the session
    public async Task Https_NewConnectionPerIteration_MakesAFullHandshakeEveryTime(bool perIteration, string handshake, int iterations)
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-resume", TimeSpan.FromDays(30));
        await using OpenSslServer server = await OpenSslServer.StartAsync(certificate);
        string step = $$"""{ "name": "session", "http": { "path": "/" }, "checks": ["body contains \"{{handshake}}\""] }""";

        // By name, as a browser would (SslStream, on the targets that check certificates, resumes only by name).
        StepSnapshot run = (await StepRuns.RunAsync(new Uri($"https://localhost:{server.Port}"), [step], insecure: true, iterations: 4, targetFields: $"\"http\": \"1.1\", \"new_connection_per_iteration\": {(perIteration ? "true" : "false")}"))[0];

        Assert.True(run.Ok == iterations, $"{run.Ok} of 4 were '{handshake}': {string.Join("; ", run.FailureMessages)}");
    }

    [Fact]
    public async Task Https_SelfSignedCertificateNotAllowed_FailsWithTlsSayingWhy()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-self-signed", TimeSpan.FromDays(30));
        await using Recorder server = await Recorder.StartAsync(certificate);

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who], targetFields: "\"http\": \"1.1\""))[0];

        Assert.Equal(FailureReason.Tls, step.FailureReasons.Keys.Single());
        Assert.Contains("self-signed", step.FailureMessages.Single(), StringComparison.Ordinal);
        Assert.Equal(0, server.Requests);
    }

    [Theory]
    [InlineData(true)] // OpenSSL: "wrong version number"
    [InlineData(false)] // SslStream: "cannot determine the frame size"
    public async Task Https_AgainstAPlainHttpServer_FailsWithTlsSayingItDidNotAnswerInTls(bool insecure)
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http1);
        var https = new UriBuilder(server.Address) { Scheme = "https" }.Uri;

        StepSnapshot step = (await StepRuns.RunAsync(https, [Who], insecure: insecure, targetFields: "\"http\": \"1.1\""))[0];

        Assert.Equal(FailureReason.Tls, step.FailureReasons.Keys.Single());
        Assert.EndsWith("the server did not answer in TLS: if this port serves plain HTTP, use http://", step.FailureMessages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_ExpiredCertificate_FailsWithTlsSayingItExpired()
    {
        using X509Certificate2 certificate = TestCertificates.Expired("probe-expired");
        await using Recorder server = await Recorder.StartAsync(certificate);

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who]))[0];

        Assert.Equal(FailureReason.Tls, step.FailureReasons.Keys.Single());
        Assert.Contains("expired", step.FailureMessages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Https_ByDefault_TheServersAlpnChoiceWins()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using Recorder both = await Recorder.StartAsync(certificate, HttpProtocols.Http1AndHttp2);
        await using Recorder http1 = await Recorder.StartAsync(certificate, HttpProtocols.Http1);

        StepSnapshot h2 = (await StepRuns.RunAsync(both.Address, [Who], insecure: true, iterations: 3))[0];
        StepSnapshot h1 = (await StepRuns.RunAsync(http1.Address, [Who], insecure: true, iterations: 3))[0];

        Assert.True(h2.Ok == 3 && h1.Ok == 3, string.Join("; ", h2.FailureMessages.Concat(h1.FailureMessages)));
        Assert.Equal(["HTTP/2"], both.Protocols);
        Assert.Equal(["HTTP/1.1"], http1.Protocols);
    }

    [Fact]
    public async Task Http2_PriorKnowledgeOnPlainHttp_AndOverTls()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using Recorder h2c = await Recorder.StartAsync(null, HttpProtocols.Http2);
        await using Recorder h2 = await Recorder.StartAsync(certificate, HttpProtocols.Http1AndHttp2);

        StepSnapshot plain = (await StepRuns.RunAsync(h2c.Address, [Who], iterations: 2, targetFields: "\"http\": \"2\""))[0];
        StepSnapshot tls = (await StepRuns.RunAsync(h2.Address, [Who], insecure: true, iterations: 2, targetFields: "\"http\": \"2\""))[0];

        Assert.True(plain.Ok == 2 && tls.Ok == 2, string.Join("; ", plain.FailureMessages.Concat(tls.FailureMessages)));
        Assert.Equal(["HTTP/2"], h2c.Protocols);
        Assert.Equal(["HTTP/2"], h2.Protocols);
    }

    [Fact]
    public async Task Http2_StreamsPerConnection_SpreadsUsersOverConnections()
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http2);

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who], iterations: 40, copies: 4, targetFields: "\"http\": \"2\", \"streams_per_connection\": 2"))[0];

        Assert.True(step.Fail == 0, string.Join("; ", step.FailureMessages));
        Assert.Equal(2, server.Connections); // users 0–1 on one connection, 2–3 on the other
    }

    [Fact]
    public async Task Http2_ServerAllowsFewerStreams_UsersSpreadOverMoreConnections()
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http2, maxStreams: 2, answerAfter: TimeSpan.FromMilliseconds(5));

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who], iterations: 60, copies: 6, targetFields: "\"http\": \"2\""))[0];

        Assert.True(step.Fail == 0, string.Join("; ", step.FailureMessages));
        Assert.InRange(server.Connections, 3, 4); // 6 users, 2 streams each (one more while the first learnt the limit)
    }

    [Fact]
    public async Task NewConnectionPerIteration_EachIterationOpensOneAndItsStepsShareIt()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using Recorder server = await Recorder.StartAsync(certificate);
        string flow = """
            { "name": "flow", "sequence": { "steps": [
              { "name": "first", "http": { "path": "/who" } },
              { "name": "second", "http": { "path": "/who" } } ] } }
            """;

        StepSnapshot[] steps = await StepRuns.RunAsync(server.Address, [flow], insecure: true, iterations: 4, targetFields: "\"new_connection_per_iteration\": true");

        Assert.True(steps[0].Fail == 0, string.Join("; ", steps[0].FailureMessages));
        Assert.Equal(8, server.Requests);
        Assert.Equal(4, server.Connections);
        Assert.All(server.RequestsPerConnection, n => Assert.Equal(2, n));
    }

    [Fact]
    public async Task MaxConnections_UsersBeyondTheCapWaitForAConnection()
    {
        await using Recorder server = await Recorder.StartAsync(null, HttpProtocols.Http1, answerAfter: TimeSpan.FromMilliseconds(20));

        StepSnapshot step = (await StepRuns.RunAsync(server.Address, [Who], iterations: 24, copies: 6, targetFields: "\"max_connections\": 2"))[0];

        Assert.True(step.Ok == 24, string.Join("; ", step.FailureMessages));
        Assert.Equal(2, server.Connections);
        Assert.Equal(2, server.MostAtOnce);
    }

    [Fact]
    public async Task ClientCertificate_IsSentWhenTheServerAsks()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        using X509Certificate2 client = TestCertificates.SelfSigned("probe-client", TimeSpan.FromDays(30));
        string folder = Directory.CreateTempSubdirectory("probe-mtls").FullName;
        string cert = Path.Combine(folder, "client.pem");
        string key = Path.Combine(folder, "client.key");
        await File.WriteAllTextAsync(cert, client.ExportCertificatePem());
        await File.WriteAllTextAsync(key, client.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await using Recorder server = await Recorder.StartAsync(certificate, HttpProtocols.Http1AndHttp2, ClientCertificateMode.RequireCertificate);
        string step = """{ "name": "who", "http": { "path": "/client" }, "checks": ["body contains \"CN=probe-client\""] }""";

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, [step], insecure: true, iterations: 2, targetFields: $$"""
            "client_certificate": { "cert": "{{cert}}", "key": "{{key}}" }
            """);
        StepSnapshot[] viaHttp2 = await StepRuns.RunAsync(server.Address, [step], insecure: true, targetFields: $$"""
            "http": "2", "client_certificate": { "cert": "{{cert}}", "key": "{{key}}" }
            """);

        Assert.True(runs[0].Ok == 2, string.Join("; ", runs[0].FailureMessages));
        Assert.True(viaHttp2[0].Ok == 1, string.Join("; ", viaHttp2[0].FailureMessages));
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Redirect_FromAConnectionTheServerCloses_CountsEveryHopsNewConnectionInTheStep()
    {
        // The regression: a redirected step reported only the last hop's connection phases, so the connection and
        // handshake the first hop opened were in its latency but in no phase.
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using Recorder server = await Recorder.StartAsync(certificate);
        string step = """{ "name": "moved", "http": { "path": "/moved" }, "checks": ["status == 200"] }""";

        StepSnapshot run = (await StepRuns.RunAsync(server.Address, [step], insecure: true, iterations: 3, targetFields: "\"http\": \"1.1\""))[0];

        Assert.True(run.Ok == 3, string.Join("; ", run.FailureMessages));
        Assert.Equal(1, server.Connections); // the followed hops kept their connection
        Assert.Equal(3, run.Phases["connect"].Count); // each first hop opened one: the server closed the last after its redirect
        Assert.Equal(3, run.Phases["tls"].Count);
    }
}
