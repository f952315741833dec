using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Scenarios.Http.OpenSsl;
using Probe.Scenarios.Tests.Steps;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Http.OpenSsl;

/// <summary>
/// The lean client's own TLS (OpenSSL over memory BIOs, for <c>insecure_tls</c> targets) against real servers:
/// Kestrel for bodies, ALPN and HTTP/2's concurrent reads and writes, <c>openssl s_server</c> for session
/// resumption, and raw sockets for handshakes that go wrong.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class OpenSslStreamTests
{
    [Fact]
    public void OnLinux_OpenSslIsThere()
    {
        // The rest of this class tests nothing if the lean client fell back to SslStream everywhere.
        Assert.True(!OperatingSystem.IsLinux() || LibSsl.Supported, "libssl.so.3 did not load: the lean client's TLS is SslStream here");
    }

    [Fact]
    public async Task Bodies_LargerThanManyRecords_GoBothWaysWhole()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-openssl", TimeSpan.FromDays(30));
        await using LoopbackServer server = await StartAsync(certificate, HttpProtocols.Http1);
        byte[] body = RandomNumberGenerator.GetBytes(300_000); // about 19 TLS records each way

        await using OpenSslStream tls = await ConnectAsync(server.Address, AlpnOffer.Http11);
        await tls.WriteAsync(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {body.Length}\r\n\r\n"));
        await tls.WriteAsync(body);
        byte[] answer = await ReadAnswerBodyAsync(tls);

        Assert.Equal("http/1.1", tls.Alpn);
        Assert.Equal(body, answer);
    }

    [Theory]
    [InlineData(HttpProtocols.Http1AndHttp2, "h2")]
    [InlineData(HttpProtocols.Http1, "http/1.1")]
    public async Task Alpn_OfferingBoth_TheServersChoiceIsReported(HttpProtocols protocols, string chosen)
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-openssl", TimeSpan.FromDays(30));
        await using LoopbackServer server = await StartAsync(certificate, protocols);

        await using OpenSslStream tls = await ConnectAsync(server.Address, AlpnOffer.Http2First);

        Assert.Equal(chosen, tls.Alpn);
    }

    [Theory]
    [InlineData("-tls1_3", "TLSv1.3")]
    [InlineData("-tls1_2", "TLSv1.2")]
    public async Task Sessions_KeptByTheTarget_AreResumedByItsNextConnection(string only, string protocol)
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-openssl", TimeSpan.FromDays(30));
        await using OpenSslServer server = await OpenSslServer.StartAsync(certificate, only);
        var sessions = new TlsSessions();

        var resumed = new List<bool>();
        foreach (TlsSessions? kept in new[] { sessions, sessions, sessions, null })
        {
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await socket.ConnectAsync(IPAddress.Loopback, server.Port);
            await using OpenSslStream tls = await OpenSslStream.ConnectAsync(new NetworkStream(socket), AlpnOffer.Http11, "localhost", kept, CancellationToken.None);
            await tls.WriteAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            string page = await ReadToEndAsync(tls);
            Assert.Equal(tls.Resumed, page.Contains($"Reused, {protocol}", StringComparison.Ordinal)); // the server saw what the client did
            Assert.Contains($", {protocol}, Cipher is", page, StringComparison.Ordinal);
            resumed.Add(tls.Resumed);
        }

        Assert.Equal([false, true, true, false], resumed); // the first has nothing to resume; without sessions, never
    }

    [Fact]
    public async Task Http2OverTls_ManyStreamsSendingAndReceivingAtOnce_AllComeBackWhole()
    {
        using X509Certificate2 certificate = TestCertificates.SelfSigned("probe-openssl", TimeSpan.FromDays(30));
        await using LoopbackServer server = await StartAsync(certificate, HttpProtocols.Http2);
        string body = new('x', 100_000);
        string step = $$"""{ "name": "echo", "http": { "method": "POST", "path": "/echo", "body": "{{body}}" }, "checks": ["status == 200", "body contains \"xxxxxxxxxx\""] }""";

        StepSnapshot run = (await StepRuns.RunAsync(server.Address, [step], insecure: true, iterations: 160, targetFields: "\"http\": \"2\", \"streams_per_connection\": 20", copies: 20))[0];

        Assert.True(run.Ok == 160, $"{run.Ok} of 160: {string.Join("; ", run.FailureMessages)}");
        Assert.Equal(160 * 100_000L, run.Bytes); // every answer byte came back
    }

    [Fact]
    public async Task ServerClosingInTheHandshake_FailsAsTlsSayingSo()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        Task closing = Task.Run(async () =>
        {
            using Socket accepted = await listener.AcceptSocketAsync();
            await accepted.ReceiveAsync(new byte[4096]); // the ClientHello
        });

        StepSnapshot run = (await StepRuns.RunAsync(new Uri($"https://127.0.0.1:{port}"), ["""{ "name": "hello", "http": { "path": "/" } }"""], insecure: true, targetFields: "\"http\": \"1.1\""))[0];
        await closing;

        Assert.Equal(FailureReason.Tls, run.FailureReasons.Keys.Single());
        Assert.Contains("the TLS handshake with 127.0.0.1 failed: the server closed the connection in the middle of the TLS handshake", run.FailureMessages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerNotSpeakingTls_FailsAsTlsWithOpenSslsReason()
    {
        await using LoopbackServer plain = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "plain"));
        var address = new Uri($"https://127.0.0.1:{plain.Address.Port}");

        StepSnapshot run = (await StepRuns.RunAsync(address, ["""{ "name": "hello", "http": { "path": "/" } }"""], insecure: true, targetFields: "\"http\": \"1.1\""))[0];

        string message = run.FailureMessages.Single();
        Assert.Equal(FailureReason.Tls, run.FailureReasons.Keys.Single());
        Assert.Contains("the TLS handshake with 127.0.0.1 failed: ", message, StringComparison.Ordinal);
        Assert.DoesNotContain("gave no reason", message, StringComparison.Ordinal);
    }

    private static Task<LoopbackServer> StartAsync(X509Certificate2 certificate, HttpProtocols protocols) =>
        LoopbackServer.StartAsync(
            app => app.MapPost("/echo", async (HttpContext context) =>
            {
                using var copy = new MemoryStream();
                await context.Request.Body.CopyToAsync(copy);
                return Results.Bytes(copy.ToArray(), "application/octet-stream");
            }),
            certificate,
            protocols,
            ClientCertificateMode.NoCertificate);

    private static async Task<OpenSslStream> ConnectAsync(Uri address, AlpnOffer offer)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, address.Port);
        return await OpenSslStream.ConnectAsync(new NetworkStream(socket, ownsSocket: true), offer, serverName: null, sessions: null, CancellationToken.None);
    }

    /// <summary>Reads an HTTP/1.1 answer with a Content-Length and returns its body.</summary>
    private static async Task<byte[]> ReadAnswerBodyAsync(Stream tls)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int headEnd = -1;
        long length = -1;
        while (headEnd < 0 || received.Length < headEnd + length)
        {
            int read = await tls.ReadAsync(buffer);
            Assert.True(read > 0, "the connection ended before the answer did");
            received.Write(buffer, 0, read);
            if (headEnd < 0 && received.ToArray().AsSpan().IndexOf("\r\n\r\n"u8) is var end and >= 0)
            {
                headEnd = end + 4;
                string head = Encoding.ASCII.GetString(received.ToArray(), 0, end);
                length = long.Parse(head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return received.ToArray()[headEnd..];
    }

    private static async Task<string> ReadToEndAsync(Stream tls)
    {
        using var reader = new StreamReader(tls, Encoding.ASCII, leaveOpen: true);
        return await reader.ReadToEndAsync();
    }
}
