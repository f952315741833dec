using System.Buffers;
using System.Buffers.Text;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Probe.Engine.Core;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// One keep-alive HTTP/1.1 connection on a socket, plain or under TLS: writes a prepared request and parses the
/// response in place — status line, the headers it needs (Content-Length, Transfer-Encoding,
/// Connection, Location, and all of them only when a check reads headers), then the body by length,
/// by chunks, or to the end of the connection — counting the body and keeping it only when asked.
/// No per-request allocation beyond what a check needs.
/// <para>
/// Message framing follows RFC 9112 section 6.3: interim (1xx) answers are skipped; an answer to
/// HEAD, and a 204 or 304, has no body whatever its headers say; chunked wins over Content-Length
/// (and the connection is not reused); an invalid Content-Length, several that disagree, or bytes
/// past the answer's end are a protocol failure, not a silently cut body. A connection lost after the
/// request was sent fails as reset.
/// </para>
/// </summary>
internal sealed class LeanConnection : IDisposable
{
    // 4 KB holds the usual head and a small body; the buffer grows (to 64 KB at most, HttpClient's limit too) only for larger heads:
    // 10,000 users keep 10,000 connections, so this is most of the lean client's memory.
    private const int InitialBufferSize = 4 * 1024;
    private const int MaxBufferSize = 64 * 1024;
    private const long Idle = long.MaxValue;
    private const long Aborted = long.MinValue;

    private readonly Socket _socket;
    private readonly ReadySocket? _ready;
    private readonly LeanHttpClient _owner;
    private readonly Stream? _tls;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private bool _answered;
    private bool _headRead;
    private long _deadline = Idle; // Idle, Aborted, or the deadline of the exchange in progress

    public LeanConnection(Socket socket, LeanHttpClient owner)
    {
        _socket = socket;
        _owner = owner;
    }

    /// <summary>A connection on a readiness loop (Linux): no speculative receive per answer.</summary>
    public LeanConnection(ReadySocket ready, LeanHttpClient owner)
        : this(ready.Socket, owner)
    {
        _ready = ready;
    }

    /// <summary>A connection under TLS: <paramref name="tls"/> owns the socket (<paramref name="socket"/> is kept to close it on a timeout).</summary>
    public LeanConnection(Stream tls, Socket socket, ReadySocket? ready, LeanHttpClient owner)
        : this(socket, owner)
    {
        _ready = ready;
        _tls = tls;
    }

    /// <summary>The virtual user's iteration this connection serves, when the target opens new connections per iteration.</summary>
    public IterationKey Iteration { get; set; }

    /// <summary>Whether the last exchange got any answer byte: a kept-alive connection the server had closed gets none.</summary>
    public bool Answered => _answered;

    /// <summary>The deadline (a <see cref="TimeProvider"/> timestamp) of the exchange in progress, or null when there is none.</summary>
    public long? Deadline => Interlocked.Read(ref _deadline) is var deadline && deadline is not Idle and not Aborted ? deadline : null;

    /// <summary>
    /// Writes a prepared request and reads the answer, then hands the connection back to its client's
    /// pool (or closes it), so the client needs no state machine of its own per request. The exchange
    /// has until <paramref name="deadline"/>: past it, <see cref="Abort"/> (called by the client's
    /// watchdog) closes the socket and this throws <see cref="OperationCanceledException"/>, so no
    /// timer is made per request. A kept-alive connection (<paramref name="connect"/> is default) that
    /// the server closed while it sat idle gets no answer byte: the request is then sent again on a new
    /// connection, as HttpClient does.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<LeanResponse> ExchangeAsync(ReadOnlyMemory<byte> request, LeanReadOptions options, long deadline, ConnectTiming connect, CancellationToken cancellation)
    {
        bool reusable = false;
        bool wasHeld = false;
        _start = _end = 0;
        _answered = _headRead = false;
        Interlocked.Exchange(ref _deadline, deadline); // a full fence before Watch reads the timer's state
        _owner.Watch(deadline); // after the deadline is set: a watchdog pass that missed this exchange has disarmed, and this arms it again
        try
        {
            if (_tls is not null)
            {
                await _tls.WriteAsync(request, cancellation).ConfigureAwait(false);
            }
            else if (_ready is null)
            {
                await _socket.SendAsync(request, SocketFlags.None, cancellation).ConfigureAwait(false);
            }
            else
            {
                // Held for the rest of the loop's batch when this runs inside it (written behind: the exchange goes
                // on to wait for the answer); that wait is the client's, not the target's.
                await _ready.SendAsync(request, _owner.Time, cancellation, out wasHeld).ConfigureAwait(false);
            }

            var head = new Http1Head();
            long headersAt;
            do
            {
                // Interim answers (100 Continue, 103 Early Hints) come before the final one: skip them.
                int headLength, consumed;
                while ((consumed = Http1Head.End(_buffer.AsSpan(_start, _end - _start), out headLength)) < 0)
                {
                    Received(await ReceiveMoreAsync(cancellation).ConfigureAwait(false));
                }

                headersAt = _owner.Time.GetTimestamp();
                head = default;
                Http1Head.Parse(_buffer.AsSpan(_start, headLength), options.KeepHeaders, ref head);
                _start += consumed;
                _headRead = true;
            }
            while (head.Status is >= 100 and < 200 and not 101);

            MemoryStream? kept = options.KeepBody ? new MemoryStream() : null;
            long size;
            bool bodiless = options.Head || head.Status is 204 or 304 or 101;
            if (bodiless)
            {
                size = 0;
            }
            else if (head.ContentLength is { } length && !head.Chunked && length <= _end - _start && length <= options.MaxBodyBytes)
            {
                // The usual case: the whole body came with the headers.
                kept?.Write(_buffer, _start, (int)length);
                _start += (int)length;
                size = length;
            }
            else
            {
                size = await ReadBodyAsync(head.Chunked, head.ContentLength, kept, options.MaxBodyBytes, cancellation).ConfigureAwait(false);
            }

            if (_end > _start)
            {
                // A server does not send what was not asked for: these bytes belong to an answer whose framing lied.
                throw TrailingBytes(_end - _start, head.Chunked ? null : head.ContentLength);
            }

            reusable = !head.Close && !(head.Chunked && head.ContentLength is not null) && (bodiless || head.Chunked || head.ContentLength is not null);
            string? body = kept is null ? null : Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length);

            // Idle again unless the watchdog closed it just as the answer completed.
            reusable &= Interlocked.CompareExchange(ref _deadline, Idle, deadline) == deadline;
            return new LeanResponse(head.Status, size, body, head.Headers, headersAt, head.Location, connect, wasHeld ? _ready!.HeldTicks : 0);
        }
        catch (Exception e) when (Interlocked.Read(ref _deadline) == Aborted)
        {
            throw TimedOut(e);
        }
        catch (Exception e) when (connect == default && !Answered && e is HttpRequestException or IOException or SocketException && !cancellation.IsCancellationRequested)
        {
            // Awaited as a Task (this is rare): an awaited ValueTask of the answer would add its locals to every exchange.
            _owner.Close(this); // first: at a connection cap its room goes to the new one
            return await _owner.ConnectAndSendAsync(request, options, deadline, cancellation, Iteration).AsTask().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException || (e is IOException && e is not HttpFramingException and not BodyTooLargeException and not ConnectionLostException and not CertificateRejectedException and not Http2ChosenException))
        {
            throw Lost(e);
        }
        finally
        {
            if (reusable)
            {
                _owner.Return(this);
            }
            else
            {
                _owner.Close(this);
            }
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static OperationCanceledException TimedOut(Exception e) => new("no answer within the step's timeout", e);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private ConnectionLostException Lost(Exception e) =>
        new(Answered ? $"the connection was lost in the middle of the answer: {e.Message}" : $"the connection was lost before any answer came: {e.Message}", e);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static HttpFramingException TrailingBytes(int count, long? contentLength) =>
        new($"{count} bytes came after the end of the answer{(contentLength is { } said ? $" (its Content-Length says {said}: too short?)" : string.Empty)}");

    /// <summary>A body that did not come whole with the headers: by chunks, by its length, or to the end of the connection.</summary>
    private ValueTask<long> ReadBodyAsync(bool chunked, long? length, MemoryStream? kept, long max, CancellationToken cancellation) =>
        chunked ? ReadChunkedAsync(kept, max, cancellation)
        : length is { } declared ? ReadLengthAsync(declared, kept, max, cancellation)
        : ReadToEndAsync(kept, max, cancellation);

    /// <summary>Closes the socket if the exchange with this <paramref name="deadline"/> is still in progress; it then fails as timed out.</summary>
    public void Abort(long deadline)
    {
        // Compared and swapped on the deadline itself, so the next exchange (a new deadline) is never the one closed.
        // Only the socket: the exchange's own failure closes the rest (a TLS stream is not closed under a pending read).
        if (Interlocked.CompareExchange(ref _deadline, Aborted, deadline) == deadline)
        {
            if (_ready is null)
            {
                _socket.Dispose();
            }
            else
            {
                _ready.Dispose();
            }
        }
    }

    /// <summary>Closes the socket (a pending read or write fails at once), then the TLS stream over it.</summary>
    public void Dispose()
    {
        if (_ready is null)
        {
            _socket.Dispose();
        }
        else
        {
            _ready.Dispose();
        }

        _tls?.Dispose();
    }

    /// <summary>Makes room at the end of the buffer and receives into it (not an async method: one state machine less per request).</summary>
    private ValueTask<int> ReceiveMoreAsync(CancellationToken cancellation)
    {
        if (_start > 0 && _start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length && _start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        else if (_end == _buffer.Length)
        {
            // A head (or a chunk-size line) that fills the whole buffer: grow it, up to the limit.
            if (_buffer.Length == MaxBufferSize)
            {
                throw _headRead
                    ? new HttpFramingException("a line of the chunked body (a chunk size or a trailer) is longer than 64 KB")
                    : new HttpRequestException(HttpRequestError.InvalidResponse, "the response headers are larger than 64 KB");
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, MaxBufferSize));
        }

        return ReceiveAsync(_buffer.AsMemory(_end), cancellation);
    }

    private ValueTask<int> ReceiveAsync(Memory<byte> into, CancellationToken cancellation) =>
        _tls is not null ? _tls.ReadAsync(into, cancellation)
        : _ready is null ? _socket.ReceiveAsync(into, SocketFlags.None, cancellation) : _ready.ReceiveAsync(into, cancellation);

    private void Received(int read)
    {
        if (read == 0)
        {
            throw !_headRead && Http1Head.LooksLikeTls(_buffer.AsSpan(_start, _end - _start))
                ? new HttpFramingException(Http1Head.AnsweredInTls)
                : new ConnectionLostException(Answered ? "the connection closed in the middle of the answer" : "the connection closed before any answer came");
        }

        _end += read;
        _answered = true;
    }

    private async ValueTask<long> ReadLengthAsync(long length, MemoryStream? kept, long max, CancellationToken cancellation)
    {
        Limit(length, max);
        long left = length;
        while (left > 0)
        {
            if (_start == _end)
            {
                int read = await ReceiveMoreAsync(cancellation).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new ConnectionLostException($"the connection closed after {length - left} of the {length} bytes announced");
                }

                Received(read);
            }

            int take = (int)Math.Min(left, _end - _start);
            kept?.Write(_buffer, _start, take);
            _start += take;
            left -= take;
        }

        return length;
    }

    private async ValueTask<long> ReadChunkedAsync(MemoryStream? kept, long max, CancellationToken cancellation)
    {
        long total = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n')) < 0)
            {
                Received(await ReceiveMoreAsync(cancellation).ConfigureAwait(false));
            }

            ReadOnlySpan<byte> line = Http1Head.WithoutCr(_buffer.AsSpan(_start, lineEnd));
            // Hexadecimal digits, then optional whitespace before any extension (';'); nothing else.
            int semicolon = line.IndexOf((byte)';');
            ReadOnlySpan<byte> size = (semicolon < 0 ? line : line[..semicolon]).TrimEnd(" \t"u8);
            if (!Utf8Parser.TryParse(size, out long chunk, out int digits, 'x') || digits != size.Length || chunk < 0)
            {
                throw new HttpRequestException(HttpRequestError.InvalidResponse, "a chunk size of the chunked body is not hexadecimal");
            }

            _start += lineEnd + 1;
            if (chunk == 0)
            {
                await SkipTrailersAsync(cancellation).ConfigureAwait(false);
                return total;
            }

            total += chunk;
            Limit(total, max);
            await ReadLengthAsync(chunk, kept, long.MaxValue, cancellation).ConfigureAwait(false);

            // The chunk's line end: CRLF, or a bare LF.
            while (_end - _start < 2 && !(_end > _start && _buffer[_start] == (byte)'\n'))
            {
                Received(await ReceiveMoreAsync(cancellation).ConfigureAwait(false));
            }

            _start += _buffer[_start] == (byte)'\n' ? 1
                : _buffer[_start] == (byte)'\r' && _buffer[_start + 1] == (byte)'\n' ? 2
                : throw new HttpFramingException("a chunk of the chunked body is longer than its size says");
        }
    }

    /// <summary>Skips the trailer section, which may hold 64 KB as the head may: a server sending trailers without end fails at once.</summary>
    private async ValueTask SkipTrailersAsync(CancellationToken cancellation)
    {
        long skipped = 0;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n')) < 0)
            {
                Received(await ReceiveMoreAsync(cancellation).ConfigureAwait(false));
            }

            bool empty = Http1Head.WithoutCr(_buffer.AsSpan(_start, lineEnd)).IsEmpty;
            _start += lineEnd + 1;
            skipped += lineEnd + 1;
            if (skipped > MaxBufferSize)
            {
                throw new HttpFramingException("the chunked body's trailers pass 64 KB");
            }

            if (empty)
            {
                return;
            }
        }
    }

    private async ValueTask<long> ReadToEndAsync(MemoryStream? kept, long max, CancellationToken cancellation)
    {
        long total = _end - _start;
        kept?.Write(_buffer, _start, _end - _start);
        _start = _end = 0;
        while (true)
        {
            int read = await ReceiveAsync(_buffer.AsMemory(), cancellation).ConfigureAwait(false);
            if (read == 0)
            {
                return total;
            }

            total += read;
            Limit(total, max);
            kept?.Write(_buffer, 0, read);
        }
    }

    private static void Limit(long size, long max)
    {
        if (size > max)
        {
            throw new BodyTooLargeException(max);
        }
    }
}

/// <summary>
/// A virtual user (<paramref name="Copy"/>) and its iteration: the owner of connections opened per iteration.
/// <paramref name="User"/>, when the engine runs the step, is the user's context: it tells users of different
/// scenarios (and overlapping on-demand iterations) apart, and ends the iteration's connection with it.
/// </summary>
internal readonly record struct IterationKey(int Copy, long Iteration, ScenarioContext? User = null)
{
    /// <summary>Whose connection it is: the user's context, or its number when no engine runs the step.</summary>
    public object Owner => User ?? (object)Copy;
}

/// <summary>What the caller wants of a response body and headers; <paramref name="Head"/>: the request was HEAD, so the answer has no body.</summary>
internal readonly record struct LeanReadOptions(bool KeepBody, bool KeepHeaders, long MaxBodyBytes, bool Head = false);
