namespace Probe.Scenarios.Http.Readiness;

/// <summary>
/// A <see cref="ReadySocket"/> as a <see cref="Stream"/>, so TLS (<see cref="OpenSsl.OpenSslStream"/>, <see cref="System.Net.Security.SslStream"/>)
/// runs over the epoll loops too. One read or write at a time, as the socket allows and as an
/// HTTP/1.1 exchange (write the request, then read the answer) uses it. Owns the socket.
/// </summary>
internal sealed class ReadySocketStream(ReadySocket socket) : DuplexStream
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => socket.ReceiveAsync(buffer, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> sending = socket.SendAsync(buffer, cancellationToken);
        if (sending.IsCompletedSuccessfully)
        {
            _ = sending.Result;
            return default;
        }

        return Awaited(sending);

        static async ValueTask Awaited(ValueTask<int> sending) => await sending.ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            socket.Dispose();
        }

        base.Dispose(disposing);
    }
}
