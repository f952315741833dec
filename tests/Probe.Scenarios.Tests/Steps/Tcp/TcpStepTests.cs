using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Probe.DemoTarget;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Tcp;

/// <summary>The tcp step against real sockets on loopback: the demo target's HTTP port, a banner server, a silent one, TLS.</summary>
[Collection(RealTimeCollection.Name)]
public class TcpStepTests
{
    [Fact]
    public async Task Tcp_SendAndExpect_AgainstTheDemoTargetsPort_PassesWithPhasesAndBodyChecks()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();

        StepSnapshot step = await RunAsync(target.Address, """
            { "name": "raw-http", "tcp": { "send": "GET /health HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n", "expect": "healthy" },
              "checks": ["body contains \"200 OK\"", "size > 20", "latency < 5s"] }
            """);

        Assert.True(step.Ok == 1, string.Join("; ", step.FailureMessages));
        Assert.Equal(["connect", "transfer", "ttfb"], step.Phases.Keys.Order());
    }

    [Fact]
    public async Task Tcp_BannerWithoutTheExpectedText_FailsWithCheckSayingWhatCame()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Task serving = ServeAsync(listener, "220 mail.example ESMTP ready\r\n", close: true);

        StepSnapshot step = await RunAsync(Address(listener), """
            { "name": "smtp", "tcp": { "expect": "250" } }
            """);
        await serving;

        Assert.Equal(["check: expected \"250\" in the answer; got \"220 mail.example ESMTP ready\""], step.FailureMessages);
    }

    [Fact]
    public async Task Tcp_ClosedPortAndSilentServer_FailWithConnectAndTimeout()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        Task serving = ServeAsync(silent, string.Empty, close: false);
        int closed = LoopbackPorts.Free();

        StepSnapshot refused = await RunAsync(new Uri($"http://127.0.0.1:{closed}"), """{ "name": "port", "tcp": {} }""");
        // The timeout covers the connect too: it must be long enough that a stalled host cannot spend it
        // connecting (300 ms once ran out there in a clean-clone CI run, "timed out connecting").
        StepSnapshot waiting = await RunAsync(Address(silent), """{ "name": "port", "tcp": { "expect": "+PONG" }, "timeout": "2s" }""");

        Assert.Equal(FailureReason.Connect, refused.FailureReasons.Keys.Single());
        Assert.Equal(["timeout: timed out waiting for the answer (127.0.0.1:" + Address(silent).Port + ")"], waiting.FailureMessages);
        silent.Stop();
        await serving.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Tcp_Tls_RefusesAnUntrustedCertificateUnlessTheTargetIsInsecure()
    {
        using var certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), certificate);
        const string Step = """{ "name": "tls-port", "tcp": { "tls": true } }""";

        StepSnapshot strict = await RunAsync(server.Address, Step);
        StepSnapshot insecure = await RunAsync(server.Address, Step, insecure: true);

        Assert.Equal(["tls: the certificate is self-signed and not trusted (CN=probe-test)"], strict.FailureMessages);
        Assert.True(insecure.Ok == 1, string.Join("; ", insecure.FailureMessages));
        Assert.Equal(["connect", "tls"], insecure.Phases.Keys.Order());
    }

    private static Uri Address(TcpListener listener) => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    /// <summary>Accepts one connection, sends <paramref name="text"/>, and closes it or keeps it open until the client leaves.</summary>
    private static async Task ServeAsync(TcpListener listener, string text, bool close)
    {
        using Socket client = await listener.AcceptSocketAsync();
        if (text.Length > 0)
        {
            await client.SendAsync(Encoding.UTF8.GetBytes(text));
        }

        if (!close)
        {
            byte[] buffer = new byte[16];
            while (await client.ReceiveAsync(buffer) > 0)
            {
            }
        }
    }

    private static async Task<StepSnapshot> RunAsync(Uri address, string step, bool insecure = false) =>
        (await StepRuns.RunAsync(address, [step], insecure))[0];
}
