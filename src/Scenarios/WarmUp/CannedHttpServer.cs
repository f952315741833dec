using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Probe.Scenarios.Http.Lean;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.WarmUp;

/// <summary>
/// A loopback HTTP/1.1 server that answers every request at once with <c>200</c> and a small JSON
/// body, keeping connections alive. The warm-up runs Probe's own request path against it, so that
/// compiling that path costs nothing on the real target's schedule and sends the target nothing.
/// Every second answer comes chunked (counted over all connections, so that a scenario opening a new
/// connection per iteration gets both too), as from most application servers (Kestrel, and so the demo
/// target, among them): reading chunks is a path of its own, and compiled on a real target's first
/// answers it took the CPU the schedule needed in a short gate's first 20 ms.
/// </summary>
internal sealed class CannedHttpServer : IAsyncDisposable
{
    private static readonly byte[] Body = Encoding.ASCII.GetBytes("{\"status\":\"ok\",\"results\":[],\"answer\":\"\",\"sources\":[],\"usage\":{\"total_tokens\":0}}");
    private const string Status = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
    private static readonly byte[] Head = Encoding.ASCII.GetBytes($"{Status}Content-Length: {Body.Length}\r\n\r\n");

    // One send per answer, and Nagle off: a body sent after its head waited for the head's acknowledgement,
    // which the client delays by up to 40 ms once a connection is past its first few exchanges.
    private static readonly byte[] Answer = [.. Head, .. Body];

    private static readonly byte[] ChunkedHead = Encoding.ASCII.GetBytes($"{Status}Transfer-Encoding: chunked\r\n\r\n");
    private static readonly byte[] ChunkedAnswer = [.. ChunkedHead, .. Encoding.ASCII.GetBytes($"{Body.Length:x}\r\n"), .. Body, .. "\r\n0\r\n\r\n"u8];

    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _answers;

    public CannedHttpServer()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(512);
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        try
        {
            await _accepting.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket connection = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            connection.NoDelay = true;
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        // On Linux the connection is served on a readiness loop with the client's own socket code, so the warm-up's
        // rounds recompile the client's hot path and little of the server's: its answers cost the run no compiling.
        using ReadySocket? ready = ReadySocket.Supported ? ReadySocket.Adopt(connection, ReadinessLoop.Inline) : null;
        using (connection)
        {
            byte[] buffer = new byte[16 * 1024];
            int filled = 0;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    Memory<byte> free = buffer.AsMemory(filled);
                    int read = await (ready is null ? connection.ReceiveAsync(free, SocketFlags.None, _stop.Token) : ready.ReceiveAsync(free, _stop.Token)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        return;
                    }

                    filled += read;
                    while (TryTakeRequest(buffer, ref filled, out bool head, out bool close))
                    {
                        bool chunked = Interlocked.Increment(ref _answers) % 2 == 0;
                        byte[] answer = head ? (chunked ? ChunkedHead : Head) : (chunked ? ChunkedAnswer : Answer);
                        await (ready is null ? connection.SendAsync(answer, SocketFlags.None, _stop.Token) : ready.SendAsync(answer, _stop.Token)).ConfigureAwait(false);

                        if (close)
                        {
                            return;
                        }
                    }

                    if (filled == buffer.Length)
                    {
                        return; // a head larger than the buffer: not a warm-up request
                    }
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the server stops.
            }
        }
    }

    /// <summary>Takes one whole request (head and Content-Length body) off the front of the buffer.</summary>
    private static bool TryTakeRequest(byte[] buffer, ref int filled, out bool head, out bool close)
    {
        head = false;
        close = false;
        ReadOnlySpan<byte> data = buffer.AsSpan(0, filled);
        int end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        long length = 0;
        foreach (Range range in data[..end].Split("\r\n"u8))
        {
            ReadOnlySpan<byte> line = data[range];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            ReadOnlySpan<byte> name = line[..colon].Trim(" \t"u8);
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                _ = Utf8Parser.TryParse(value, out length, out _);
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                close = Http1Head.HasToken(value, "close"u8);
            }
        }

        long whole = end + 4 + length;
        if (whole > filled)
        {
            return false;
        }

        head = data.StartsWith("HEAD "u8);
        int rest = filled - (int)whole;
        Buffer.BlockCopy(buffer, (int)whole, buffer, 0, rest);
        filled = rest;
        return true;
    }
}
