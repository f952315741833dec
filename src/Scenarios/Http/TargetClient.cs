using Probe.Scenarios.Http.Http2;
using Probe.Scenarios.Http.Lean;
using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Http;

/// <summary>
/// One shared, pooled HTTP client per target: HTTP/1.1 by default and HTTP/2 where the server offers
/// it over TLS (or as the target says), the lean client for HTTP/1.1 beside it, no automatic redirects (steps follow them themselves so every hop is seen), and a
/// connect callback that times DNS and TCP connect for the request that opened the connection.
/// </summary>
internal sealed class TargetClient : IDisposable
{
    internal static readonly HttpRequestOptionsKey<ConnectTiming> ConnectTimingKey = new("probe.connect-timing");
    internal static readonly HttpRequestOptionsKey<long> HandshakeDoneKey = new("probe.tls-handshake-done");

    private readonly TimeProvider _time;
    private readonly X509Certificate2? _clientCertificate;
    private readonly NetworkConditions? _network;
    private readonly Dictionary<int, HttpClient>? _streamGroups;
    private volatile string? _certificateProblem;
    private volatile bool _serverChoseHttp2;

    public TargetClient(TargetSpec target, TimeProvider time, NetworkConditions? network = null)
    {
        Target = target;
        _time = time;
        ConnectionPolicy policy = target.Connections;
        Authorization = target.Credentials is { } credentials
            ? "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secrets.Resolve(credentials)))
            : null;
        _clientCertificate = policy.ClientCertificate?.Load();
        bool conditioned = network is not null && network != NetworkConditions.None;
        _network = conditioned ? network : null;
        (RequestVersion, VersionPolicy) = policy.Http switch
        {
            HttpVersionChoice.Http2 => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            HttpVersionChoice.Http11 => (HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact),
            _ => (HttpVersion.Version11, HttpVersionPolicy.RequestVersionOrHigher),
        };
        Http = NewClient(multipleHttp2Connections: policy.StreamsPerConnection is null);
        if (policy.StreamsPerConnection is not null)
        {
            _streamGroups = [];
        }

        // HTTP/1.1 takes the lean path, plain and TLS (for https it offers h2 too unless told 1.1 or to open connections per
        // iteration, which HTTP/2's shared connections cannot do, and moves to HttpClient if the server picks it).
        bool https = target.Url.Scheme == Uri.UriSchemeHttps;
        Lean = policy.Http != HttpVersionChoice.Http2 && !conditioned
            ? new LeanHttpClient(target.Url, time, policy: new LeanPolicy(
                https ? new LeanTls(target.Url.IdnHost, target.InsecureTls, offerHttp2: policy.Http == HttpVersionChoice.Auto && !policy.NewConnectionPerIteration, _clientCertificate, resume: !policy.NewConnectionPerIteration) : null,
                policy.NewConnectionPerIteration,
                policy.MaxConnections))
            : null;
        Lean2 = !conditioned && (policy.Http == HttpVersionChoice.Http2 || (https && policy.Http == HttpVersionChoice.Auto && !policy.NewConnectionPerIteration))
            ? new LeanHttp2Client(target.Url, time, https ? new LeanTls(target.Url.IdnHost, target.InsecureTls, offerHttp2: false, _clientCertificate, http2: true) : null, policy.StreamsPerConnection, policy.MaxConnections)
            : null;
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

    /// <summary>
    /// The fast path for HTTP/1.1, plain and TLS: null for HTTP/2 targets and under simulated network
    /// conditions, where <see cref="Http"/> serves; not used once an https server chose h2 (<see cref="ServerChoseHttp2"/>).
    /// </summary>
    public LeanHttpClient? Lean { get; }

    /// <summary>Probe's own HTTP/2 client: for a target told "2", and for an https target whose server picks h2 (<see cref="UsesLeanHttp2"/>).</summary>
    public LeanHttp2Client? Lean2 { get; }

    /// <summary>Whether HTTP/2 requests go through <see cref="Lean2"/> now.</summary>
    public bool UsesLeanHttp2 => Lean2 is not null && (Target.Connections.Http == HttpVersionChoice.Http2 || _serverChoseHttp2);

    /// <summary>The version requests through <see cref="Http"/> ask for, and how strictly.</summary>
    public Version RequestVersion { get; }

    /// <summary>Exact for a target told "1.1" or "2"; or higher (ALPN decides) by default.</summary>
    public HttpVersionPolicy VersionPolicy { get; }

    /// <summary>Whether the https server picked h2 when the lean path offered it: its requests then go through <see cref="Http"/>.</summary>
    public bool ServerChoseHttp2 => _serverChoseHttp2;

    /// <summary>The lean path met a server that picked h2 in ALPN: from now on <see cref="Http"/> serves.</summary>
    public void UseHttp2() => _serverChoseHttp2 = true;

    /// <summary>
    /// Sends through <see cref="Http"/> (with <c>streams_per_connection</c>, through virtual user
    /// <paramref name="copy"/>'s group's own connection); a rejected certificate fails saying what was wrong with it.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellation, int copy = 0)
    {
        try
        {
            return await ClientFor(copy).SendAsync(request, completion, cancellation).ConfigureAwait(false);
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
        Lean2?.Dispose();
        if (_streamGroups is not null)
        {
            lock (_streamGroups)
            {
                foreach (HttpClient client in _streamGroups.Values)
                {
                    client.Dispose();
                }
            }
        }

        _clientCertificate?.Dispose();
    }

    /// <summary>
    /// The client for virtual user <paramref name="copy"/>. With <c>streams_per_connection</c> N, users
    /// 0..N−1 share one client with a single HTTP/2 connection, users N..2N−1 the next, and so on: each
    /// user has at most one request in flight, so no connection carries more than N streams.
    /// </summary>
    private HttpClient ClientFor(int copy)
    {
        if (_streamGroups is null)
        {
            return Http;
        }

        int group = copy / Target.Connections.StreamsPerConnection!.Value;
        if (group == 0)
        {
            return Http;
        }

        lock (_streamGroups)
        {
            if (!_streamGroups.TryGetValue(group, out HttpClient? client))
            {
                _streamGroups[group] = client = NewClient(multipleHttp2Connections: false);
            }

            return client;
        }
    }

    private HttpClient NewClient(bool multipleHttp2Connections)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            MaxConnectionsPerServer = Target.Connections.MaxConnections ?? int.MaxValue,
            EnableMultipleHttp2Connections = multipleHttp2Connections,
            UseCookies = false,
            ConnectCallback = ConnectAsync,
            SslOptions = new System.Net.Security.SslClientAuthenticationOptions
            {
                AllowTlsResume = !Target.Connections.NewConnectionPerIteration,
                RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
                {
                    if (errors == System.Net.Security.SslPolicyErrors.None || Target.InsecureTls)
                    {
                        return true;
                    }

                    // Said in the step's failure: expired, untrusted, or for another name (the handshake's own error only says
                    // "rejected"). The certificate is the target's, so the target keeps what was wrong with it.
                    _certificateProblem = HttpFailures.CertificateProblem(errors, certificate, chain, Target.Url.IdnHost);
                    return false;
                },
            },
        };
        if (_clientCertificate is { } client)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }

        HttpMessageHandler outer = _network is not null ? new ConditionedHandler(handler, _network, _time) : handler;
        return new HttpClient(outer, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
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

/// <summary>DNS and connect time of a new connection, in nanoseconds (DNS −1 for an address literal), when it connected, and its TLS handshake (−1 without TLS, or when the handshake is timed elsewhere).</summary>
internal readonly record struct ConnectTiming(long DnsNs, long ConnectNs, long ConnectedAt, long TlsNs = -1);
