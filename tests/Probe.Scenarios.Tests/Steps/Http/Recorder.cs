using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// A Kestrel server on loopback that records what went over the wire: each connection's requests, the
/// protocols used, how many requests were in flight at once and how many connections are open now.
/// <c>/who</c> answers with the protocol and connection, <c>/moved</c> redirects there and closes the
/// connection, <c>/client</c> names the client certificate.
/// </summary>
internal sealed class Recorder : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _connections = new();
    private readonly ConcurrentDictionary<string, byte> _protocols = new();
    private LoopbackServer? _server;
    private int _inFlight;
    private int _mostAtOnce;
    private int _open;

    public Uri Address => _server!.Address;

    public int Requests => _connections.Values.Sum();

    public int Connections => _connections.Count;

    public int[] RequestsPerConnection => [.. _connections.Values];

    public string[] Protocols => [.. _protocols.Keys.Order(StringComparer.Ordinal)];

    public int MostAtOnce => _mostAtOnce;

    /// <summary>Connections that carried a request and are not closed yet.</summary>
    public int Open => Volatile.Read(ref _open);

    public static async Task<Recorder> StartAsync(X509Certificate2? certificate, HttpProtocols protocols = HttpProtocols.Http1AndHttp2, ClientCertificateMode clients = ClientCertificateMode.NoCertificate, TimeSpan answerAfter = default, int maxStreams = 100)
    {
        var recorder = new Recorder();
        recorder._server = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/who", async (HttpContext context) =>
            {
                int now = Interlocked.Increment(ref recorder._inFlight);
                InterlockedMax(ref recorder._mostAtOnce, now);
                recorder.Count(context);
                recorder._protocols.TryAdd(context.Request.Protocol, 0);
                if (answerAfter > TimeSpan.Zero)
                {
                    await Task.Delay(answerAfter);
                }

                Interlocked.Decrement(ref recorder._inFlight);
                return Results.Text($"{context.Request.Protocol} {context.Connection.Id}");
            });
            app.MapGet("/moved", (HttpContext context) =>
            {
                context.Response.Headers.Connection = "close";
                return Results.Redirect("/who");
            });
            app.MapGet("/client", (HttpContext context) => Results.Text(context.Connection.ClientCertificate?.Subject ?? "no certificate"));
        }, certificate, protocols, clients, limits => limits.Http2.MaxStreamsPerConnection = maxStreams);
        return recorder;
    }

    public ValueTask DisposeAsync() => _server!.DisposeAsync();

    private void Count(HttpContext context)
    {
        if (_connections.TryAdd(context.Connection.Id, 1))
        {
            Interlocked.Increment(ref _open);
            context.Features.Get<IConnectionLifetimeFeature>()!.ConnectionClosed.Register(() => Interlocked.Decrement(ref _open));
            return;
        }

        _connections.AddOrUpdate(context.Connection.Id, 1, (_, n) => n + 1);
    }

    private static void InterlockedMax(ref int most, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref most)) && Interlocked.CompareExchange(ref most, value, seen) != seen)
        {
        }
    }
}
