using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Steps.Lean;

/// <summary>
/// The fast path for plain-HTTP targets: a pool of keep-alive HTTP/1.1 connections on bare sockets
/// (one per concurrent request, reused in turn), requests written from prepared bytes. The shared
/// <see cref="HttpClient"/> still serves what this path does not: TLS, HTTP/2, redirects to follow.
/// </summary>
internal sealed class LeanHttpClient : IDisposable
{
    private readonly ConcurrentQueue<LeanConnection> _idle = new();
    private readonly DnsEndPoint _endpoint;
    private readonly TimeProvider _time;
    private bool _disposed;

    public LeanHttpClient(Uri target, TimeProvider time)
    {
        _endpoint = new DnsEndPoint(target.IdnHost, target.Port);
        _time = time;
        Authority = target.IsDefaultPort ? target.IdnHost : $"{target.IdnHost}:{target.Port}";
    }

    /// <summary>The Host header's value.</summary>
    public string Authority { get; }

    /// <summary>The request bytes for method, path-and-query, headers and body (Host, Content-Length and Content-Type added).</summary>
    public byte[] Prepare(string method, string pathAndQuery, IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        // The step's own Host, User-Agent and Content-Type win over ours, as with HttpClient; Content-Length is always ours.
        KeyValuePair<string, string>[] own = headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToArray();
        bool Has(string name) => own.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        var text = new StringBuilder(256);
        text.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        if (!Has("Host"))
        {
            text.Append("Host: ").Append(Authority).Append("\r\n");
        }

        foreach (KeyValuePair<string, string> h in own)
        {
            text.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        }

        if (!Has("User-Agent"))
        {
            text.Append("User-Agent: probe\r\n");
        }

        if (body is not null)
        {
            if (!Has("Content-Type"))
            {
                text.Append("Content-Type: ").Append(contentType).Append("\r\n");
            }

            text.Append("Content-Length: ").Append(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append("\r\n");
        }

        text.Append("\r\n");
        byte[] head = Encoding.UTF8.GetBytes(text.ToString());
        return body is null ? head : [.. head, .. body];
    }

    /// <summary>Sends a prepared request on an idle connection (or a new one, timing its connect) and reads the answer.</summary>
    public async ValueTask<(LeanResponse Response, ConnectTiming Connect)> SendAsync(ReadOnlyMemory<byte> request, LeanReadOptions options, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ConnectTiming connect = default;
        if (!_idle.TryDequeue(out LeanConnection? connection))
        {
            (connection, connect) = await ConnectAsync(cancellation).ConfigureAwait(false);
        }

        try
        {
            LeanResponse response;
            try
            {
                response = await connection.ExchangeAsync(request, options, _time, cancellation).ConfigureAwait(false);
            }
            catch (Exception e) when (connect == default && !connection.Answered && e is HttpRequestException or IOException or SocketException && !cancellation.IsCancellationRequested)
            {
                // The server closed this kept-alive connection while it sat idle: send again on a new one, as HttpClient does.
                connection.Dispose();
                (connection, connect) = await ConnectAsync(cancellation).ConfigureAwait(false);
                response = await connection.ExchangeAsync(request, options, _time, cancellation).ConfigureAwait(false);
            }

            if (connection.Reusable && !_disposed)
            {
                _idle.Enqueue(connection);
                connection = null;
            }

            return (response, connect);
        }
        finally
        {
            connection?.Dispose();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        while (_idle.TryDequeue(out LeanConnection? connection))
        {
            connection.Dispose();
        }
    }

    private async ValueTask<(LeanConnection, ConnectTiming)> ConnectAsync(CancellationToken cancellation)
    {
        try
        {
            (Socket socket, ConnectTiming timing) = await TimedConnect.ConnectAsync(_endpoint, _time, cancellation).ConfigureAwait(false);
            return (new LeanConnection(socket), timing);
        }
        catch (SocketException e)
        {
            // The same failure HttpClient reports, so steps classify it the same way (reason connect).
            throw new HttpRequestException(HttpRequestError.ConnectionError, $"{e.Message} ({_endpoint.Host}:{_endpoint.Port})", e);
        }
    }
}
