using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Probe.Engine.Core;
using Probe.Engine.Timing;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// The fast path for HTTP/1.1 targets, plain and TLS: a pool of keep-alive connections on bare
/// sockets (one per concurrent request, reused in turn), requests written from prepared bytes. The
/// shared <see cref="HttpClient"/> still serves what this path does not: HTTP/2, redirects to follow.
/// Step timeouts are deadlines that one watchdog timer enforces for all connections, so a request
/// makes no timer and no token source of its own. The target's connection policy may open new
/// connections per iteration (each virtual user's iteration has its own) and cap the open connections
/// (<see cref="ConnectionCap"/>).
/// </summary>
internal sealed class LeanHttpClient : IDisposable
{
    private readonly ConcurrentQueue<LeanConnection> _idle = new();
    private readonly HashSet<LeanConnection> _open = [];
    private readonly DnsEndPoint _endpoint;
    private readonly TimeProvider _time;
    private readonly DeadlineWatchdog _watchdog;
    private readonly bool _readiness;
    private readonly bool _inline;
    private readonly LeanTls? _tls;
    private readonly bool _perIteration;
    private readonly ConnectionCap? _cap;
    private readonly ConcurrentDictionary<object, LeanConnection>? _owned;
    private readonly Action<ScenarioContext> _endIteration;
    private bool _disposed;

    /// <param name="target">The plain-HTTP target.</param>
    /// <param name="time">The clock for deadlines and timings.</param>
    /// <param name="readiness">Sockets on Probe's own epoll loops (the default where there is epoll) or on .NET's socket engine.</param>
    /// <param name="inline">On the epoll loops: continuations on the loop's thread; the default follows <see cref="ReadinessLoop.Inline"/>.</param>
    /// <param name="policy">TLS for an https target, and the target's connection policy; null: plain keep-alive.</param>
    public LeanHttpClient(Uri target, TimeProvider time, bool? readiness = null, bool? inline = null, LeanPolicy? policy = null)
    {
        _readiness = readiness ?? ReadySocket.Supported;
        _inline = inline ?? ReadinessLoop.Inline;
        if (_readiness && !ReadySocket.Supported)
        {
            throw new PlatformNotSupportedException("the readiness loops need Linux's epoll");
        }

        _endpoint = new DnsEndPoint(target.IdnHost, target.Port);
        _time = time;
        _tls = policy?.Tls;
        _perIteration = policy?.NewConnectionPerIteration ?? false;
        _owned = _perIteration ? new ConcurrentDictionary<object, LeanConnection>() : null;
        _endIteration = EndIteration;
        _cap = policy?.MaxConnections is { } max ? new ConnectionCap(max, this) : null;
        Authority = target.IsDefaultPort ? target.IdnHost : $"{target.IdnHost}:{target.Port}";
        _watchdog = new DeadlineWatchdog(time, _open, AbortOverdue);
    }

    /// <summary>The Host header's value.</summary>
    public string Authority { get; }

    /// <summary>The request bytes for method, path-and-query, headers and body (Host, Content-Length and Content-Type added).</summary>
    public byte[] Prepare(string method, string pathAndQuery, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        List<KeyValuePair<string, string>> all = RequestHeaders.Complete(headers, body, contentType);
        var text = new StringBuilder(256);
        text.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        if (!all.Any(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)))
        {
            text.Append("Host: ").Append(Authority).Append("\r\n");
        }

        foreach (KeyValuePair<string, string> h in all)
        {
            text.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        }

        text.Append("\r\n");
        byte[] head = Encoding.UTF8.GetBytes(text.ToString());
        return body is null ? head : [.. head, .. body];
    }

    /// <summary>
    /// Sends a prepared request on an idle connection (or a new one, timing its connect) and reads the answer,
    /// all before <paramref name="deadline"/> (a <see cref="TimeProvider"/> timestamp); past it this throws
    /// <see cref="OperationCanceledException"/> while <paramref name="cancellation"/> is not cancelled.
    /// </summary>
    /// <remarks><paramref name="iteration"/>: the virtual user's iteration, for a target that opens new connections per iteration.</remarks>
    public ValueTask<LeanResponse> SendAsync(ReadOnlyMemory<byte> request, LeanReadOptions options, long deadline, CancellationToken cancellation, IterationKey iteration = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_perIteration)
        {
            iteration.User?.AtIterationEnd(_endIteration);
        }

        LeanConnection? connection = _perIteration ? TakeOwned(iteration) : _idle.TryDequeue(out LeanConnection? idle) ? idle : null;
        return connection is not null
            ? connection.ExchangeAsync(request, options, deadline, default, cancellation)
            : ConnectAndSendAsync(request, options, deadline, cancellation, iteration);
    }

    /// <summary>The clock the connections time their answers with.</summary>
    internal TimeProvider Time => _time;

    /// <summary>Sends on a new connection.</summary>
    internal async ValueTask<LeanResponse> ConnectAndSendAsync(ReadOnlyMemory<byte> request, LeanReadOptions options, long deadline, CancellationToken cancellation, IterationKey iteration)
    {
        if (_cap is not null)
        {
            ValueTask<LeanConnection?> entering = _cap.EnterAsync(deadline, cancellation);
            if (!entering.IsCompleted && _perIteration)
            {
                GiveWayParked();
            }

            if (await entering.ConfigureAwait(false) is { } handed)
            {
                // At the cap: a connection another request handed back.
                handed.Iteration = iteration;
                return await handed.ExchangeAsync(request, options, deadline, default, cancellation).ConfigureAwait(false);
            }
        }

        LeanConnection connection;
        ConnectTiming connect;
        try
        {
            (connection, connect) = await ConnectAsync(deadline, cancellation).ConfigureAwait(false);
        }
        catch
        {
            _cap?.Leave();
            throw;
        }

        connection.Iteration = iteration;
        return await connection.ExchangeAsync(request, options, deadline, connect, cancellation).ConfigureAwait(false);
    }

    /// <summary>Takes a connection back after a clean exchange, for the next request.</summary>
    internal void Return(LeanConnection connection)
    {
        if (_disposed)
        {
            Close(connection);
            return;
        }

        if (_perIteration)
        {
            // Kept for the rest of its iteration, unless a request waits at the cap: it gets the room.
            if (_cap?.Waiting == true)
            {
                Close(connection);
            }
            else if (_owned!.TryGetValue(connection.Iteration.Owner, out LeanConnection? before) && before != connection)
            {
                Close(connection);
            }
            else
            {
                _owned[connection.Iteration.Owner] = connection;
            }

            return;
        }

        if (_cap?.Hand(connection) == true)
        {
            return;
        }

        _idle.Enqueue(connection);
    }

    /// <summary>
    /// A request waits at the cap: one connection kept for a user between its requests is closed, and its
    /// room goes to the first request waiting. A kept connection is idle while its user thinks between two
    /// requests of an iteration (a step run without the engine keeps it until the user's next request, and
    /// that user may have stopped): without this, a request at the cap waited for a room no one gave back.
    /// </summary>
    private void GiveWayParked()
    {
        foreach (object user in _owned!.Keys)
        {
            if (_owned.TryRemove(user, out LeanConnection? parked))
            {
                Close(parked);
                return;
            }
        }
    }

    /// <summary>The connection this iteration opened, if it is still open; one of the user's earlier iteration is closed.</summary>
    private LeanConnection? TakeOwned(IterationKey iteration)
    {
        if (!_owned!.TryRemove(iteration.Owner, out LeanConnection? connection))
        {
            return null;
        }

        if (connection.Iteration == iteration)
        {
            return connection;
        }

        Close(connection);
        return null;
    }

    /// <summary>A user's iteration ended: the connection it opened is closed now, not when its next iteration begins.</summary>
    private void EndIteration(ScenarioContext user)
    {
        if (_owned!.TryRemove(user, out LeanConnection? connection))
        {
            Close(connection);
        }
    }

    /// <summary>Forgets and closes a connection that may not be used again.</summary>
    internal void Close(LeanConnection connection)
    {
        bool removed;
        lock (_open)
        {
            removed = _open.Remove(connection);
        }

        connection.Dispose();
        if (removed)
        {
            _cap?.Leave();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _watchdog.Dispose();
        lock (_open)
        {
            foreach (LeanConnection connection in _open)
            {
                connection.Dispose();
            }

            _open.Clear();
        }

        _idle.Clear();
        _owned?.Clear();
    }

    /// <summary>Makes sure the watchdog wakes by <paramref name="deadline"/>.</summary>
    internal void Watch(long deadline) => _watchdog.Watch(deadline);

    /// <summary>The watchdog's pass (under the lock of the open connections): closes every connection whose exchange is past its deadline; returns the next deadline.</summary>
    private long AbortOverdue(long now)
    {
        long next = long.MaxValue;
        List<(LeanConnection, long)>? overdue = null;
        foreach (LeanConnection connection in _open)
        {
            if (connection.Deadline is not { } deadline)
            {
                continue;
            }

            if (deadline <= now)
            {
                (overdue ??= []).Add((connection, deadline));
            }
            else
            {
                next = Math.Min(next, deadline);
            }
        }

        // Aborted after the walk: an aborted exchange may close its connection (and leave _open) at once.
        foreach ((LeanConnection connection, long deadline) in overdue ?? [])
        {
            connection.Abort(deadline);
        }

        return next;
    }

    private async ValueTask<(LeanConnection, ConnectTiming)> ConnectAsync(long deadline, CancellationToken cancellation)
    {
        // Connecting is rare (once per connection), so it may have a token source of its own for the deadline.
        using var timeout = new CancellationTokenSource(StepDeadline.Left(_time, deadline), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        try
        {
            LeanConnection connection;
            ConnectTiming timing;
            if (_readiness)
            {
                (ReadySocket ready, timing) = await TimedConnect.ConnectAsync(_endpoint, _time, (addresses, port, token) => ReadySocket.ConnectAsync(addresses, port, _inline, token), linked.Token).ConfigureAwait(false);
                if (_tls is null)
                {
                    connection = new LeanConnection(ready, this);
                }
                else
                {
                    Stream ssl = await _tls.HandshakeAsync(new ReadySocketStream(ready), linked.Token).ConfigureAwait(false);
                    connection = new LeanConnection(ssl, ready.Socket, ready, this);
                }
            }
            else
            {
                (Socket socket, timing) = await TimedConnect.ConnectAsync(_endpoint, _time, linked.Token).ConfigureAwait(false);
                if (_tls is null)
                {
                    connection = new LeanConnection(socket, this);
                }
                else
                {
                    Stream ssl = await _tls.HandshakeAsync(new NetworkStream(socket, ownsSocket: true), linked.Token).ConfigureAwait(false);
                    connection = new LeanConnection(ssl, socket, null, this);
                }
            }

            if (_tls is not null)
            {
                timing = timing with { TlsNs = _time.ToNanoseconds(_time.GetTimestamp() - timing.ConnectedAt) };
            }

            lock (_open)
            {
                if (_disposed)
                {
                    connection.Dispose();
                    throw new ObjectDisposedException(nameof(LeanHttpClient));
                }

                _open.Add(connection);
            }

            return (connection, timing);
        }
        catch (SocketException e)
        {
            // The same failure HttpClient reports, so steps classify it the same way (reason connect).
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({_endpoint.Host}:{_endpoint.Port})", e);
        }
    }
}

/// <summary>
/// The lean client's TLS (null for a plain target) and the target's connection policy: new connections
/// per iteration, and a cap on open connections (null for none).
/// </summary>
internal sealed record LeanPolicy(LeanTls? Tls, bool NewConnectionPerIteration = false, int? MaxConnections = null);
