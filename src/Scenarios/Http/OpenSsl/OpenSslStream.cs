using System.Buffers;
using System.Runtime.CompilerServices;

namespace Probe.Scenarios.Http.OpenSsl;

/// <summary>
/// A TLS client connection made by OpenSSL itself, over memory BIOs on any inner stream (the epoll loops' sockets or a
/// <see cref="System.Net.Sockets.NetworkStream"/>): the lean client's TLS for <c>insecure_tls</c> targets, where
/// <see cref="System.Net.Security.SslStream"/> spends most of a new connection's CPU on work such a target never reads
/// (a context per connection, the server's certificate decoded into .NET objects, a chain built).
/// <para>
/// One read and one write may run at once (as HTTP/2's read loop and writer do): every OpenSSL call on the connection
/// is made under one lock, and what OpenSSL writes — on a write, or on a read that must answer the server — goes out
/// under a send gate in the order OpenSSL wrote it.
/// </para>
/// <para>
/// An idle connection holds no buffer of its own: bytes received and bytes to send are in pooled arrays only while a
/// read or a send is in progress (10,000 users keep 10,000 connections), and OpenSSL releases its own (the contexts
/// set <c>SSL_MODE_RELEASE_BUFFERS</c>).
/// </para>
/// </summary>
internal sealed class OpenSslStream : DuplexStream
{
    private const int RecordSize = (16 * 1024) + 512; // a full TLS record with its header and padding
    private const int PlainChunk = 64 * 1024; // bodies are encrypted and sent this much at a time
    private const int MaxKeepTries = 4;

    private readonly Stream _inner;
    private readonly TlsSessions? _sessions;
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private nint _ssl;
    private nint _readBio;
    private nint _writeBio;
    private int _keepTries; // reads with answer bytes that looked for a session to keep; past MaxKeepTries, no more
    private bool _broken; // OpenSSL failed on this connection: its session is not offered again

    private OpenSslStream(Stream inner, AlpnOffer offer, string? serverName, TlsSessions? sessions)
    {
        _inner = inner;
        _sessions = sessions;
        lock (_lock)
        {
            LibSsl.ERR_clear_error();
            _ssl = LibSsl.SSL_new(OpenSslContexts.For(offer));
            _readBio = LibSsl.BIO_new(LibSsl.BIO_s_mem());
            _writeBio = LibSsl.BIO_new(LibSsl.BIO_s_mem());
            if (_ssl == 0 || _readBio == 0 || _writeBio == 0)
            {
                throw new InvalidOperationException($"OpenSSL could not make a TLS connection: {LibSsl.TakeErrors()}");
            }

            LibSsl.SSL_set_bio(_ssl, _readBio, _writeBio);
            LibSsl.SSL_set_connect_state(_ssl);
            if (serverName is not null && !LibSsl.SetHostName(_ssl, serverName))
            {
                throw new InvalidOperationException($"OpenSSL refused the server name {serverName}: {LibSsl.TakeErrors()}");
            }

            sessions?.Offer(_ssl);
        }
    }

    ~OpenSslStream() => Free();

    /// <summary>The protocol the server chose in ALPN ("h2", "http/1.1"; empty when it chose none).</summary>
    public string Alpn { get; private set; } = string.Empty;

    /// <summary>Whether the handshake resumed an earlier session (an abbreviated handshake).</summary>
    public bool Resumed { get; private set; }

    /// <summary>
    /// Makes the TLS handshake over <paramref name="inner"/> (owned from here on, closed on failure). Fails with
    /// <see cref="OpenSslException"/> saying what OpenSSL or the server's alert said, and with <see cref="IOException"/>
    /// when the server closes the connection in the middle of it.
    /// </summary>
    /// <param name="inner">The connected stream.</param>
    /// <param name="offer">What to offer in ALPN.</param>
    /// <param name="serverName">The host name sent in SNI; null for an address target (RFC 6066 sends none).</param>
    /// <param name="sessions">The target's sessions to resume and keep; null for a full handshake every time.</param>
    /// <param name="cancellation">Cancels the handshake.</param>
    public static async ValueTask<OpenSslStream> ConnectAsync(Stream inner, AlpnOffer offer, string? serverName, TlsSessions? sessions, CancellationToken cancellation)
    {
        OpenSslStream tls;
        try
        {
            tls = new OpenSslStream(inner, offer, serverName, sessions);
        }
        catch
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            await tls.HandshakeAsync(cancellation).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            (int read, bool answer) = Decrypt(buffer.Span);
            if (answer)
            {
                await SendPendingAsync(cancellationToken).ConfigureAwait(false);
            }

            if (read >= 0)
            {
                return read;
            }

            if (!await ReceiveAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0; // closed without close_notify: the end, as far as the caller's framing can tell
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            do
            {
                ReadOnlyMemory<byte> chunk = buffer[..Math.Min(buffer.Length, PlainChunk)];
                buffer = buffer[chunk.Length..];
                await SendAsync(Encrypt(chunk.Span), cancellationToken).ConfigureAwait(false);
            }
            while (!buffer.IsEmpty);
        }
        finally
        {
            _sending.Release();
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Free();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private async ValueTask HandshakeAsync(CancellationToken cancellation)
    {
        while (true)
        {
            (bool done, string? failure) = HandshakeStep();
            try
            {
                await SendPendingAsync(cancellation).ConfigureAwait(false); // the ClientHello, the Finished, or an alert
            }
            catch (Exception) when (failure is not null)
            {
                // The alert could not go out: what OpenSSL found is the news.
            }

            if (failure is not null)
            {
                throw new OpenSslException(failure);
            }

            if (done)
            {
                return;
            }

            if (!await ReceiveAsync(cancellation).ConfigureAwait(false))
            {
                throw new IOException("the server closed the connection in the middle of the TLS handshake");
            }
        }
    }

    /// <summary>Takes the handshake as far as the bytes received allow: done, a failure, or neither (more must be received).</summary>
    private (bool Done, string? Failure) HandshakeStep()
    {
        lock (_lock)
        {
            nint ssl = Live();
            LibSsl.ERR_clear_error();
            int result = LibSsl.SSL_do_handshake(ssl);
            if (result == 1)
            {
                Alpn = System.Text.Encoding.ASCII.GetString(LibSsl.SelectedAlpn(ssl));
                Resumed = LibSsl.SSL_session_reused(ssl) == 1;
                return (true, null);
            }

            if (LibSsl.SSL_get_error(ssl, result) == LibSsl.ErrorWantRead)
            {
                return (false, null); // a memory BIO never wants to write: it takes everything
            }

            _broken = true;
            return (false, LibSsl.TakeErrors());
        }
    }

    /// <summary>Decrypts into <paramref name="into"/>: the bytes read, 0 at the server's close_notify, -1 when more must be received.</summary>
    private (int Read, bool Answer) Decrypt(Span<byte> into)
    {
        lock (_lock)
        {
            nint ssl = Live();
            LibSsl.ERR_clear_error();
            int read = LibSsl.SSL_read(ssl, into, into.Length);
            bool answer = LibSsl.BIO_ctrl_pending(_writeBio) > 0; // a key update or renegotiation the server asked for
            if (read > 0)
            {
                if (_sessions is not null && _keepTries < MaxKeepTries)
                {
                    // A TLS 1.3 server sends its session tickets after the handshake, as a rule before the first answer
                    // byte; a few more reads cover one that sends them later, and a server that sends none costs no more.
                    _keepTries = _sessions.Keep(ssl) ? MaxKeepTries : _keepTries + 1;
                }

                return (read, answer);
            }

            return LibSsl.SSL_get_error(ssl, read) switch
            {
                LibSsl.ErrorWantRead => (-1, answer),
                LibSsl.ErrorZeroReturn => (0, answer),
                _ => throw Broken(),
            };
        }
    }

    /// <summary>Receives what the server sent and hands it to OpenSSL; false when the connection ended.</summary>
    private async ValueTask<bool> ReceiveAsync(CancellationToken cancellation)
    {
        byte[] received = ArrayPool<byte>.Shared.Rent(RecordSize);
        try
        {
            int count = await _inner.ReadAsync(received.AsMemory(0, RecordSize), cancellation).ConfigureAwait(false);
            if (count == 0)
            {
                return false;
            }

            lock (_lock)
            {
                if (LibSsl.BIO_write(_readBio == 0 ? throw Closed() : _readBio, received.AsSpan(0, count), count) != count)
                {
                    throw new IOException("OpenSSL did not take the bytes received");
                }
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(received);
        }
    }

    /// <summary>Encrypts <paramref name="plain"/> (under the send gate); returns the bytes to send, in a pooled array.</summary>
    private (byte[]? Outgoing, int Length) Encrypt(ReadOnlySpan<byte> plain)
    {
        lock (_lock)
        {
            nint ssl = Live();
            LibSsl.ERR_clear_error();
            if (LibSsl.SSL_write(ssl, plain, plain.Length) != plain.Length)
            {
                throw Broken();
            }

            return TakeOutgoing();
        }
    }

    /// <summary>Sends what OpenSSL has written and not yet sent (under the send gate, so records go out in order).</summary>
    private async ValueTask SendPendingAsync(CancellationToken cancellation)
    {
        await _sending.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            (byte[]? Outgoing, int Length) pending;
            lock (_lock)
            {
                Live();
                pending = TakeOutgoing();
            }

            await SendAsync(pending, cancellation).ConfigureAwait(false);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Moves OpenSSL's written bytes into a pooled array, null when there are none (under the lock and the send gate).</summary>
    private (byte[]? Outgoing, int Length) TakeOutgoing()
    {
        int pending = (int)LibSsl.BIO_ctrl_pending(_writeBio);
        if (pending == 0)
        {
            return (null, 0);
        }

        byte[] outgoing = ArrayPool<byte>.Shared.Rent(pending);
        return (outgoing, LibSsl.BIO_read(_writeBio, outgoing, pending));
    }

    /// <summary>Sends taken bytes (under the send gate) and gives their array back to the pool; no state machine when the send completes at once.</summary>
    private ValueTask SendAsync((byte[]? Outgoing, int Length) taken, CancellationToken cancellation)
    {
        if (taken.Outgoing is not { } outgoing)
        {
            return default;
        }

        ValueTask sending = _inner.WriteAsync(outgoing.AsMemory(0, taken.Length), cancellation);
        if (sending.IsCompletedSuccessfully)
        {
            ArrayPool<byte>.Shared.Return(outgoing);
            return default;
        }

        return Awaited(sending, outgoing);

        static async ValueTask Awaited(ValueTask sending, byte[] outgoing)
        {
            try
            {
                await sending.ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(outgoing);
            }
        }
    }

    private nint Live() => _ssl != 0 ? _ssl : throw Closed();

    private static IOException Closed() => new("the TLS connection is closed");

    private IOException Broken()
    {
        _broken = true;
        return new IOException($"TLS failed: {LibSsl.TakeErrors()}");
    }

    private void Free()
    {
        lock (_lock)
        {
            if (_ssl != 0)
            {
                if (!_broken)
                {
                    // Freed without a close_notify, OpenSSL would take the session for a failed one and never resume it.
                    LibSsl.SSL_set_shutdown(_ssl, LibSsl.ShutDown);
                }

                LibSsl.SSL_free(_ssl); // and its BIOs
                _ssl = _readBio = _writeBio = 0;
            }
        }
    }
}

/// <summary>A TLS handshake OpenSSL failed; the message is OpenSSL's reason or the server's alert.</summary>
internal sealed class OpenSslException(string message) : IOException(message);
