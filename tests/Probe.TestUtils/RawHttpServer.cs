using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Probe.TestUtils;

/// <summary>
/// A loopback server that answers each request with exactly the bytes a test gives, for answers no
/// well-behaved server would send (a lying Content-Length, a reset mid-answer, interim answers,
/// redirect loops). The answer is chosen by the request's method and path.
/// </summary>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly Func<string, string, string, RawAnswer> _answer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;

    private RawHttpServer(Func<string, string, string, RawAnswer> answer)
    {
        _answer = answer;
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
        _accepting = AcceptAsync();
    }

    public Uri Address { get; }

    /// <summary>How many connections clients have opened.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts a server whose answer to (method, path) is <paramref name="answer"/>.</summary>
    public static RawHttpServer Start(Func<string, string, RawAnswer> answer) => new((method, path, _) => answer(method, path));

    /// <summary>Starts a server whose answer to (method, path, body) is <paramref name="answer"/>.</summary>
    public static RawHttpServer StartWithBodies(Func<string, string, string, RawAnswer> answer) => new(answer);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        try
        {
            await _accepting;
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
            Socket connection = await _listener.AcceptAsync(_stop.Token);
            Interlocked.Increment(ref _connections);
            _ = ServeAsync(connection);
        }
    }

    private async Task ServeAsync(Socket connection)
    {
        var received = new StringBuilder();
        byte[] buffer = new byte[8192];
        try
        {
            while (true)
            {
                int read = await connection.ReceiveAsync(buffer, SocketFlags.None, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
                int end;
                while ((end = received.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    string head = received.ToString(0, end);
                    int length = head.Split("\r\n").Where(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)).Select(l => int.Parse(l[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
                    if (received.Length < end + 4 + length)
                    {
                        break;
                    }

                    string body = received.ToString(end + 4, length);
                    received.Remove(0, end + 4 + length);
                    string[] requestLine = head.Split("\r\n")[0].Split(' ');
                    RawAnswer answer = _answer(requestLine[0], requestLine[1], body);
                    await connection.SendAsync(Encoding.UTF8.GetBytes(answer.Bytes), SocketFlags.None, _stop.Token);
                    if (answer.Then == RawEnd.Reset)
                    {
                        connection.LingerState = new LingerOption(true, 0); // close sends RST
                        connection.Close();
                        return;
                    }

                    if (answer.Then == RawEnd.Close)
                    {
                        connection.Shutdown(SocketShutdown.Send);
                        return;
                    }
                }
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server stops.
        }
        finally
        {
            connection.Dispose();
        }
    }
}

/// <summary>What happens to the connection after an answer.</summary>
public enum RawEnd
{
    /// <summary>It stays open for the next request.</summary>
    KeepOpen,

    /// <summary>The server closes it (a FIN).</summary>
    Close,

    /// <summary>The server resets it (an RST).</summary>
    Reset,
}

/// <summary>The exact bytes of an answer (CRLFs included) and what follows them.</summary>
public sealed record RawAnswer(string Bytes, RawEnd Then = RawEnd.KeepOpen);
