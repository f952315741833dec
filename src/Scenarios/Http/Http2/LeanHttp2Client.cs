using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Probe.Engine.Timing;
using Probe.Scenarios.Http.Lean;

namespace Probe.Scenarios.Http.Http2;

/// <summary>
/// The fast path for HTTP/2 targets: Probe's own HTTP/2 client, TLS with ALPN h2 or prior knowledge
/// (h2c) on plain targets. Virtual users are grouped onto connections in order — users 0…N−1 on the
/// first, N…2N−1 on the next, N being <c>streams_per_connection</c> (default 100, the usual server
/// limit; smaller when a server allows fewer concurrent streams) — and a user has one request in
/// flight, so no connection carries more than N streams. With
/// <c>max_connections</c> the groups share that many connections in turn. Step timeouts are deadlines
/// one watchdog timer enforces for every stream (the stream is reset, the connection kept).
/// </summary>
internal sealed class LeanHttp2Client : IDisposable
{
    /// <summary>Users per connection when the target does not say.</summary>
    public const int DefaultStreamsPerConnection = 100;

    private readonly DnsEndPoint _endpoint;
    private readonly TimeProvider _time;
    private readonly LeanTls? _tls;
    private readonly int _perConnection;
    private readonly int? _maxConnections;
    private readonly Dictionary<int, H2Connection> _connections = [];
    private readonly Dictionary<int, Task<H2Connection>> _connecting = [];
    private readonly DeadlineWatchdog _watchdog;
    private int _serverMaxStreams = int.MaxValue; // the lowest SETTINGS_MAX_CONCURRENT_STREAMS a connection heard: groups shrink to fit it
    private bool _disposed;

    public LeanHttp2Client(Uri target, TimeProvider time, LeanTls? tls, int? streamsPerConnection, int? maxConnections)
    {
        _endpoint = new DnsEndPoint(target.IdnHost, target.Port);
        _time = time;
        _tls = tls;
        _perConnection = streamsPerConnection ?? DefaultStreamsPerConnection;
        _maxConnections = maxConnections;
        Scheme = target.Scheme;
        Authority = target.IsDefaultPort ? target.IdnHost : $"{target.IdnHost}:{target.Port}";
        _watchdog = new DeadlineWatchdog(time, _connecting, AbortOverdue);
    }

    /// <summary>The :scheme of every request.</summary>
    public string Scheme { get; }

    /// <summary>The :authority of every request (unless a step sends its own Host).</summary>
    public string Authority { get; }

    /// <summary>A request's header block, made once per step (<see cref="Hpack.EncodeRequest"/>), with Content-Type and Content-Length for a body.</summary>
    public byte[] Prepare(string method, string pathAndQuery, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        List<KeyValuePair<string, string>> all = RequestHeaders.Complete(headers, body, contentType);
        return Hpack.EncodeRequest(method, Scheme, Authority, pathAndQuery, all);
    }

    /// <summary>Sends a prepared request on virtual user <paramref name="copy"/>'s connection (opening it, timed, if need be) and reads the answer before <paramref name="deadline"/>.</summary>
    public async ValueTask<LeanResponse> SendAsync(byte[] headerBlock, byte[]? body, LeanReadOptions options, long deadline, CancellationToken cancellation, int copy)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        H2Connection connection;
        ConnectTiming timing;
        while (true)
        {
            int group = Group(copy);
            (connection, timing) = TryExisting(group) is { } open ? (open, default) : await ConnectAsync(group, deadline, cancellation).ConfigureAwait(false);
            if (connection.MaxStreams >= Volatile.Read(ref _serverMaxStreams))
            {
                break;
            }

            // The server allows fewer concurrent streams than a group holds: groups shrink to fit, and this user may belong to another connection now.
            Volatile.Write(ref _serverMaxStreams, connection.MaxStreams);
            if (Group(copy) == group)
            {
                break;
            }
        }

        for (int attempt = 1; ; attempt++)
        {
            var exchange = new H2Exchange(options, deadline, timing);
            try
            {
                return await connection.SendAsync(exchange, headerBlock, body, cancellation).ConfigureAwait(false);
            }
            catch (NotProcessedException) when (attempt < MaxAttempts && _time.GetTimestamp() < deadline)
            {
                // Not processed, so safe to send again, as HTTP/2 clients do: a server may still count a user's last stream
                // for a moment after its answer, or be closing the connection. After a pause that doubles (1 ms to 64 ms),
                // within the step's deadline; counted in the request's latency.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(64, 1 << (attempt - 1))), _time, cancellation).ConfigureAwait(false);
                (connection, timing) = TryExisting(Group(copy)) is { } open ? (open, default) : await ConnectAsync(Group(copy), deadline, cancellation).ConfigureAwait(false);
            }
        }
    }

    private const int MaxAttempts = 20;

    private int Group(int copy)
    {
        int group = copy / Math.Max(1, Math.Min(_perConnection, Volatile.Read(ref _serverMaxStreams)));
        return _maxConnections is { } most ? group % most : group;
    }

    public void Dispose()
    {
        _disposed = true;
        _watchdog.Dispose();
        lock (_connections)
        {
            foreach (H2Connection connection in _connections.Values)
            {
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    private H2Connection? TryExisting(int group)
    {
        lock (_connections)
        {
            return _connections.TryGetValue(group, out H2Connection? connection) && connection.Usable ? connection : null;
        }
    }

    /// <summary>Opens the group's connection, once: requests that arrive meanwhile wait for the same one (and only the first gets its timings).</summary>
    private async ValueTask<(H2Connection, ConnectTiming)> ConnectAsync(int group, long deadline, CancellationToken cancellation)
    {
        Task<H2Connection> opening;
        bool mine = false;
        lock (_connections)
        {
            if (_connections.TryGetValue(group, out H2Connection? open) && open.Usable)
            {
                return (open, default);
            }

            if (!_connecting.TryGetValue(group, out opening!))
            {
                // A connection the server is closing (GOAWAY) finishes its streams and closes itself; an idle one goes now.
                if (_connections.Remove(group, out H2Connection? old) && old.Exchanges().Length == 0)
                {
                    old.Dispose();
                }

                opening = _connecting[group] = OpenAsync(deadline, cancellation);
                mine = true;
            }
        }

        try
        {
            H2Connection connection = await opening.ConfigureAwait(false);
            return (connection, mine ? connection.Timing : default);
        }
        finally
        {
            if (mine)
            {
                lock (_connections)
                {
                    _connecting.Remove(group);
                    if (opening.IsCompletedSuccessfully)
                    {
                        _connections[group] = opening.Result;
                    }
                }
            }
        }
    }

    private async Task<H2Connection> OpenAsync(long deadline, CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(StepDeadline.Left(_time, deadline), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        Socket socket;
        ConnectTiming timing;
        try
        {
            (socket, timing) = await TimedConnect.ConnectAsync(_endpoint, _time, linked.Token).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({_endpoint.Host}:{_endpoint.Port})", e);
        }

        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_tls is not null)
            {
                Stream ssl = await _tls.HandshakeAsync(stream, linked.Token).ConfigureAwait(false);
                timing = timing with { TlsNs = _time.ToNanoseconds(_time.GetTimestamp() - timing.ConnectedAt) };
                stream = ssl;
            }

            return await H2Connection.StartAsync(stream, socket, _time, timing, Watch, linked.Token).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Makes sure the watchdog wakes by <paramref name="deadline"/>.</summary>
    private void Watch(long deadline) => _watchdog.Watch(deadline);

    /// <summary>The watchdog's pass: resets every stream past its deadline (it fails as timed out); returns the next deadline.</summary>
    private long AbortOverdue(long now)
    {
        H2Connection[] connections;
        lock (_connections)
        {
            connections = [.. _connections.Values];
        }

        long next = long.MaxValue;
        foreach (H2Connection connection in connections)
        {
            foreach (H2Exchange exchange in connection.Exchanges())
            {
                if (exchange.Deadline <= now)
                {
                    connection.Cancel(exchange, new OperationCanceledException("no answer within the step's timeout"));
                }
                else
                {
                    next = Math.Min(next, exchange.Deadline);
                }
            }
        }

        return next;
    }
}
