namespace Probe.Scenarios.Http;

/// <summary>
/// Wraps a new connection's socket stream, under the handler's TLS, to time the handshake: it ends
/// when the client first writes a TLS application-data record (content type 23). In TLS 1.2 that is
/// the request itself; in TLS 1.3 the client's encrypted Finished or the request right after it,
/// both at the handshake's end as the client sees it. Everything else passes straight through.
/// </summary>
internal sealed class HandshakeTimingStream(Stream inner, TimeProvider time, HttpRequestMessage opener) : Stream
{
    private const byte ApplicationData = 23;
    private bool _done;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count)
    {
        Mark(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Mark(buffer.Span);
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Mark(buffer.AsSpan(offset, count));
        return inner.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Mark(ReadOnlySpan<byte> data)
    {
        if (!_done && data.Length > 0 && data[0] == ApplicationData)
        {
            _done = true;
            opener.Options.Set(TargetClient.HandshakeDoneKey, time.GetTimestamp());
        }
    }
}
