using Probe.Scenarios.Http.Lean;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Net;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Http;

/// <summary>
/// One shared, pooled HTTP client per target: HTTP/1.1 by default and HTTP/2 where the server offers
/// it over TLS, no automatic redirects (steps follow them themselves so every hop is seen), and a
/// connect callback that times DNS and TCP connect for the request that opened the connection.
/// </summary>
internal sealed class TargetClient : IDisposable
{
    internal static readonly HttpRequestOptionsKey<ConnectTiming> ConnectTimingKey = new("probe.connect-timing");
    internal static readonly HttpRequestOptionsKey<long> HandshakeDoneKey = new("probe.tls-handshake-done");

    private readonly TimeProvider _time;
    private volatile string? _certificateProblem;

    public TargetClient(TargetSpec target, TimeProvider time, NetworkConditions? network = null)
    {
        Target = target;
        _time = time;
        Authorization = target.Credentials is { } credentials
            ? "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secrets.Resolve(credentials)))
            : null;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    if (errors == System.Net.Security.SslPolicyErrors.None || target.InsecureTls)
                    {
                        return true;
                    }

                    // Said in the step's failure: expired, untrusted, or for another name (the handshake's own error only says
                    // "rejected"). The certificate is the target's, so the target keeps what was wrong with it.
                    _certificateProblem = HttpFailures.CertificateProblem(errors, certificate, chain, target.Url.IdnHost);
                    return false;
                },
            },
        };
        bool conditioned = network is not null && network != NetworkConditions.None;
        HttpMessageHandler outer = conditioned ? new ConditionedHandler(handler, network!, time) : handler;
        Http = new HttpClient(outer, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        Lean = target.Url.Scheme == Uri.UriSchemeHttp && !conditioned ? new LeanHttpClient(target.Url, time) : null;
    }

    public TargetSpec Target { get; }

    /// <summary>The <c>Authorization</c> value of the target's URL credentials (Basic), resolved; null when the URL has none.</summary>
    public string? Authorization { get; }

    /// <summary>A step's request headers with the target's credentials added, unless the step sends its own <c>Authorization</c>.</summary>
    public KeyValuePair<string, string>[] WithCredentials(IEnumerable<KeyValuePair<string, string>> headers)
    {
        KeyValuePair<string, string>[] own = headers.ToArray();
        return Authorization is null || own.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            ? own
            : [.. own, KeyValuePair.Create("Authorization", Authorization)];
    }

    public HttpClient Http { get; }

    /// <summary>The fast path for plain-HTTP targets (null for https, where <see cref="Http"/> does TLS and HTTP/2, and under simulated network conditions).</summary>
    public LeanHttpClient? Lean { get; }

    /// <summary>Sends through <see cref="Http"/>; a rejected certificate fails saying what was wrong with it.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellation)
    {
        try
        {
            return await Http.SendAsync(request, completion, cancellation).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError && _certificateProblem is { } problem)
        {
            throw new CertificateRejectedException(problem, e);
        }
    }

    public void Dispose()
    {
        Http.Dispose();
        Lean?.Dispose();
    }

    [SuppressMessage("Reliability", "CA2000", Justification = "The socket is owned by the returned stream.")]
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellation)
    {
        (Socket socket, ConnectTiming timing) = await TimedConnect.ConnectAsync(context.DnsEndPoint, _time, cancellation).ConfigureAwait(false);
        context.InitialRequestMessage.Options.Set(ConnectTimingKey, timing);
        var network = new NetworkStream(socket, ownsSocket: true);
        return context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttps
            ? new HandshakeTimingStream(network, _time, context.InitialRequestMessage)
            : network;
    }

}

/// <summary>DNS and connect time of a new connection, in nanoseconds (DNS −1 for an address literal), and when it connected.</summary>
internal readonly record struct ConnectTiming(long DnsNs, long ConnectNs, long ConnectedAt);
