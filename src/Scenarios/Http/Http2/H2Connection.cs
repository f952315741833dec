using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Probe.Scenarios.Http.Lean;

namespace Probe.Scenarios.Http.Http2;

/// <summary>
/// One HTTP/2 connection (RFC 9113) of the lean client: many streams at once, each an exchange.
/// Requests are written whole (HEADERS, then DATA) under one write lock, so stream ids rise in the
/// order frames go out; one read loop takes every frame the server sends, keeps the HPACK table,
/// answers SETTINGS and PING, and completes each stream's exchange. Flow control: Probe opens its
/// receive windows to the largest size at once and tops the connection's up as data arrives, so the
/// server never waits on it. Request bodies go out as the server's windows allow: what does not fit
/// waits, in the order requests came, for the server's WINDOW_UPDATE (or a larger initial window).
/// </summary>
internal sealed class H2Connection : IDisposable
{
    internal const int FrameHeaderSize = 9;
    private const int DefaultMaxFrame = 16_384;
    private const int LargestWindow = int.MaxValue;
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly Socket _socket;
    private readonly TimeProvider _time;
    private readonly Outgoing _outgoing = new();
    private readonly Dictionary<int, H2Exchange> _exchanges = [];
    private readonly List<H2Exchange> _sendingBodies = [];
    private readonly HpackDecoder _hpack = new();
    private readonly MemoryStream _headerBlock = new();
    private readonly Action<string, string> _onField;
    private readonly Action<long> _watch;
    private readonly TaskCompletionSource _settings = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _spare = new byte[4096];
    private bool _flushing;
    private int _nextId = 1;
    private int _blockStream;
    private bool _blockEndsStream;
    private H2Exchange? _decoding;
    private long _sendWindow = 65_535;
    private int _peerInitialWindow = 65_535;
    private int _peerMaxFrame = DefaultMaxFrame;
    private long _received;
    private volatile bool _closing;

    private H2Connection(Stream stream, Socket socket, TimeProvider time, ConnectTiming timing, Action<long> watch)
    {
        _watch = watch;
        _stream = stream;
        _socket = socket;
        _time = time;
        Timing = timing;
        _onField = OnField;
    }

    /// <summary>How the connection was opened (for the request that opened it).</summary>
    public ConnectTiming Timing { get; }

    /// <summary>False once the server said GOAWAY or the connection failed: new requests need another connection.</summary>
    public bool Usable => !_closing;

    /// <summary>
    /// Sends the preface and Probe's settings over <paramref name="stream"/> (TLS with ALPN h2, or plain for
    /// prior knowledge) and starts reading. <paramref name="watch"/> hears each new stream's deadline.
    /// </summary>
    public static async ValueTask<H2Connection> StartAsync(Stream stream, Socket socket, TimeProvider time, ConnectTiming timing, Action<long> watch, CancellationToken cancellation)
    {
        var connection = new H2Connection(stream, socket, time, timing, watch);
        var hello = new Outgoing();
        hello.Raw(Preface);
        // SETTINGS: no server push; the largest stream window; the header list size Probe takes. Then the connection window to the largest too.
        Span<byte> settings = stackalloc byte[18];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x2);
        BinaryPrimitives.WriteUInt32BigEndian(settings[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(settings[6..], 0x4);
        BinaryPrimitives.WriteUInt32BigEndian(settings[8..], LargestWindow);
        BinaryPrimitives.WriteUInt16BigEndian(settings[12..], 0x6);
        BinaryPrimitives.WriteUInt32BigEndian(settings[14..], HpackDecoder.MaxHeaderListSize);
        hello.Frame(FrameType.Settings, 0, 0, settings);
        Span<byte> increment = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(increment, LargestWindow - 65_535);
        hello.Frame(FrameType.WindowUpdate, 0, 0, increment);
        await stream.WriteAsync(hello.Buffer.AsMemory(0, hello.Length), cancellation).ConfigureAwait(false);
        _ = Task.Run(connection.ReadLoopAsync, CancellationToken.None);

        // The server's SETTINGS first (one round trip, once per connection): its stream limit and frame size are known before any request.
        await connection._settings.Task.WaitAsync(cancellation).ConfigureAwait(false);
        return connection;
    }

    /// <summary>
    /// Opens a stream with <paramref name="headerBlock"/> (and <paramref name="body"/>) and waits for its
    /// answer. Past <paramref name="exchange"/>'s deadline the watchdog cancels it (<see cref="Cancel"/>).
    /// The frames join the connection's outgoing bytes; whoever finds no write in progress schedules one
    /// that writes them all, so under load one write (one TLS record, one system call) carries many requests.
    /// </summary>
    public async Task<LeanResponse> SendAsync(H2Exchange exchange, byte[] headerBlock, byte[]? body, CancellationToken cancellation)
    {
        bool flush;
        lock (_outgoing)
        {
            if (_closing)
            {
                throw new ConnectionLostException("the server is closing the connection (GOAWAY) or it was lost: no new stream was opened");
            }

            // Ids are given out in the order frames are queued, so they rise on the wire as RFC 9113 requires.
            int id = _nextId;
            _nextId += 2;
            exchange.Id = id;
            exchange.Connection = this;
            lock (_exchanges)
            {
                _exchanges[id] = exchange;
            }

            QueueHeaders(id, headerBlock, endStream: body is null);
            if (body is not null)
            {
                exchange.StartBody(body, _peerInitialWindow);
                _sendingBodies.Add(exchange);
                QueueBodies();
            }

            flush = !_flushing;
            _flushing = true;
        }

        _watch(exchange.Deadline); // after the exchange is visible: a watchdog pass that missed it has disarmed, and this arms it again
        if (flush)
        {
            // Written from the pool's global queue: the other users whose answers came in the same read queue theirs
            // meanwhile (their continuations wait in this thread's local queue, which runs first), so one write carries them all.
            ThreadPool.UnsafeQueueUserWorkItem(static connection => _ = connection.FlushAsync(), this, preferLocal: false);
        }

        await using (cancellation.UnsafeRegister(static state => ((H2Exchange)state!).Connection!.Cancel((H2Exchange)state!, null), exchange))
        {
            return await exchange.Done.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Writes the queued bytes until none are left; a failed write fails every exchange of the connection.</summary>
    private async Task FlushAsync()
    {
        try
        {
            while (true)
            {
                byte[] sending;
                int length;
                lock (_outgoing)
                {
                    if (_outgoing.Length == 0)
                    {
                        _flushing = false;
                        return;
                    }

                    (sending, length) = (_outgoing.Buffer, _outgoing.Length);
                    _outgoing.Swap(ref _spare);
                }

                await _stream.WriteAsync(sending.AsMemory(0, length)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            lock (_outgoing)
            {
                _flushing = false;
            }

            Fail(new ConnectionLostException($"the connection was lost while sending: {e.Message}", e));
        }
    }

    /// <summary>Ends an exchange that is still open: the server is told (RST_STREAM CANCEL) and the caller's wait fails with <paramref name="why"/>, or as cancelled.</summary>
    public void Cancel(H2Exchange exchange, Exception? why)
    {
        if (!Forget(exchange.Id, exchange))
        {
            return;
        }

        exchange.Done.TrySetException(why ?? new OperationCanceledException("the run was stopping"));
        SendCancel(exchange.Id);
    }

    /// <summary>Tells the server the stream is no longer wanted (RST_STREAM CANCEL).</summary>
    private void SendCancel(int stream)
    {
        Span<byte> code = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(code, 0x8); // CANCEL
        SendControl(FrameType.RstStream, 0, stream, code);
    }

    /// <summary>The exchanges in progress (for the watchdog).</summary>
    public H2Exchange[] Exchanges()
    {
        lock (_exchanges)
        {
            return [.. _exchanges.Values];
        }
    }

    public void Dispose()
    {
        _closing = true;
        _socket.Dispose();
        _stream.Dispose();
        Fail(new OperationCanceledException("the run was stopping"));
    }

    /// <summary>HEADERS (and CONTINUATION past the server's frame size) onto the outgoing bytes (under their lock).</summary>
    private void QueueHeaders(int id, byte[] block, bool endStream)
    {
        int sent = 0;
        bool first = true;
        do
        {
            int chunk = Math.Min(_peerMaxFrame, block.Length - sent);
            bool last = sent + chunk == block.Length;
            byte flags = (byte)((last ? 0x4 : 0) | (first && endStream ? 0x1 : 0)); // END_HEADERS, END_STREAM
            _outgoing.Frame(first ? FrameType.Headers : FrameType.Continuation, flags, id, block.AsSpan(sent, chunk));
            sent += chunk;
            first = false;
        }
        while (sent < block.Length);
    }

    /// <summary>
    /// DATA frames for the request bodies still being sent, oldest request first, as far as the connection's
    /// and each stream's send windows allow (under the outgoing lock). A body whose stream has ended (answered,
    /// reset, timed out) is dropped; a body sent whole leaves the list.
    /// </summary>
    private void QueueBodies()
    {
        for (int i = 0; i < _sendingBodies.Count;)
        {
            H2Exchange exchange = _sendingBodies[i];
            if (Find(exchange.Id) != exchange || QueueBody(exchange))
            {
                _sendingBodies.RemoveAt(i);
                continue;
            }

            if (_sendWindow <= 0)
            {
                return;
            }

            i++;
        }
    }

    /// <summary>As much of <paramref name="exchange"/>'s body as the windows allow; true once its last frame (END_STREAM) is queued.</summary>
    private bool QueueBody(H2Exchange exchange)
    {
        ReadOnlySpan<byte> left = exchange.BodyLeft;
        while (true)
        {
            int chunk = (int)Math.Max(0, Math.Min(Math.Min(_peerMaxFrame, left.Length), Math.Min(_sendWindow, exchange.SendWindow)));
            if (chunk == 0 && left.Length > 0)
            {
                return false;
            }

            bool last = chunk == left.Length;
            _outgoing.Frame(FrameType.Data, (byte)(last ? 0x1 : 0), exchange.Id, left[..chunk]);
            left = left[chunk..];
            exchange.BodySent(chunk);
            _sendWindow -= chunk;
            if (last)
            {
                return true;
            }
        }
    }

    /// <summary>After the server opened a window: the waiting bodies go on, and a flush starts if none is under way.</summary>
    private void ResumeBodies()
    {
        bool flush;
        lock (_outgoing)
        {
            QueueBodies();
            flush = _outgoing.Length > 0 && !_flushing;
            _flushing |= flush;
        }

        if (flush)
        {
            _ = FlushAsync();
        }
    }

    /// <summary>A frame the read loop owes the server (an ACK, a window update, a reset): queued, and written by the next flush.</summary>
    private void SendControl(FrameType type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        bool flush;
        lock (_outgoing)
        {
            _outgoing.Frame(type, flags, stream, payload);
            flush = !_flushing;
            _flushing = true;
        }

        if (flush)
        {
            _ = FlushAsync();
        }
    }

    /// <summary>
    /// The server's first frame must be SETTINGS (RFC 9113 section 3.4); a server that does not speak HTTP/2 on this
    /// connection (an HTTP/1.1 server asked with prior knowledge) answers otherwise, and is told so, not by a frame size.
    /// </summary>
    private static void CheckFirstFrame(ReadOnlySpan<byte> received)
    {
        if (received[..FrameHeaderSize].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7e) < 0)
        {
            // Text, not frames: an HTTP/1.x status line, or an error page.
            ReadOnlySpan<byte> shown = received[..Math.Min(received.Length, 40)];
            int lineEnd = shown.IndexOfAny((byte)'\r', (byte)'\n');
            string text = System.Text.Encoding.ASCII.GetString(lineEnd < 0 ? shown : shown[..lineEnd]);
            throw new HttpFramingException($"the server answered in text ('{text}'), not in HTTP/2 frames: it does not take HTTP/2 with prior knowledge (h2c) here; leave out \"http\": \"2\" for HTTP/1.1");
        }

        if (received[3] == (byte)FrameType.GoAway)
        {
            throw new HttpFramingException("the server refused HTTP/2 at once (GOAWAY before SETTINGS): it does not take HTTP/2 with prior knowledge (h2c) here; leave out \"http\": \"2\" for HTTP/1.1");
        }

        if (received[3] != (byte)FrameType.Settings)
        {
            throw new HttpFramingException($"the server's first frame is not SETTINGS but type {received[3]}: it does not speak HTTP/2 on this connection (RFC 9113 section 3.4)");
        }
    }

    private async Task ReadLoopAsync()
    {
        byte[] buffer = new byte[64 * 1024];
        int start = 0;
        int end = 0;
        bool first = true;
        try
        {
            while (true)
            {
                while (end - start < FrameHeaderSize || end - start < FrameHeaderSize + Length(buffer.AsSpan(start)))
                {
                    if (end - start >= FrameHeaderSize && Length(buffer.AsSpan(start)) > DefaultMaxFrame)
                    {
                        throw new HttpFramingException($"the server sent a frame of {Length(buffer.AsSpan(start))} bytes, past the {DefaultMaxFrame} allowed");
                    }

                    if (end == buffer.Length)
                    {
                        Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                        end -= start;
                        start = 0;
                    }

                    int read = await _stream.ReadAsync(buffer.AsMemory(end)).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new ConnectionLostException(_closing ? "the server closed the connection after GOAWAY" : "the server closed the connection");
                    }

                    end += read;
                    if (first && end - start >= FrameHeaderSize)
                    {
                        // The connection's first bytes, before anything reads them as a frame.
                        CheckFirstFrame(buffer.AsSpan(start, end - start));
                        first = false;
                    }
                }

                int length = Length(buffer.AsSpan(start));
                Handle(buffer.AsSpan(start, FrameHeaderSize + length));
                start += FrameHeaderSize + length;
                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (Exception e)
        {
            Fail(e is HttpFramingException or ConnectionLostException ? e : new ConnectionLostException($"the connection was lost: {e.Message}", e));
            _socket.Dispose();
        }
    }

    private static int Length(ReadOnlySpan<byte> header) => (header[0] << 16) | (header[1] << 8) | header[2];

    private void Handle(ReadOnlySpan<byte> frame)
    {
        var type = (FrameType)frame[3];
        byte flags = frame[4];
        int stream = BinaryPrimitives.ReadInt32BigEndian(frame[5..]) & int.MaxValue;
        ReadOnlySpan<byte> payload = frame[FrameHeaderSize..];
        if (_blockStream != 0 && type != FrameType.Continuation)
        {
            throw new HttpFramingException("a header block was interrupted by another frame (RFC 9113 section 6.10)");
        }

        switch (type)
        {
            case FrameType.Data:
                OnData(stream, flags, payload);
                break;
            case FrameType.Headers:
                payload = Unpad(flags, payload);
                if ((flags & 0x20) != 0)
                {
                    payload = payload[Math.Min(5, payload.Length)..]; // PRIORITY
                }

                StartBlock(stream, (flags & 0x1) != 0, (flags & 0x4) != 0, payload);
                break;
            case FrameType.Continuation:
                if (stream != _blockStream)
                {
                    throw new HttpFramingException("a CONTINUATION frame came without the header block it continues");
                }

                AddToBlock(payload);
                if ((flags & 0x4) != 0)
                {
                    EndBlock();
                }

                break;
            case FrameType.RstStream:
                uint code = payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : 0;
                if (Take(stream) is { } reset)
                {
                    // REFUSED_STREAM: the server did not process the request (RFC 9113 section 8.7), so it may be sent again.
                    string message = $"the server reset the stream ({ErrorName(code)})";
                    reset.Done.TrySetException(code == 0x7 ? new NotProcessedException(message) : new ConnectionLostException(message));
                }

                break;
            case FrameType.Settings:
                if ((flags & 0x1) == 0)
                {
                    lock (_outgoing)
                    {
                        ApplySettings(payload);
                    }

                    ResumeBodies();
                    SendControl(FrameType.Settings, 0x1, 0, []);
                    _settings.TrySetResult();
                }

                break;
            case FrameType.Ping:
                if ((flags & 0x1) == 0)
                {
                    SendControl(FrameType.Ping, 0x1, 0, payload);
                }

                break;
            case FrameType.GoAway:
                OnGoAway(payload);
                break;
            case FrameType.WindowUpdate:
                if (payload.Length >= 4)
                {
                    OnWindowUpdate(stream, BinaryPrimitives.ReadUInt32BigEndian(payload) & int.MaxValue);
                }

                break;
            case FrameType.PushPromise:
                throw new HttpFramingException("the server pushed a stream although Probe turned push off");
            default:
                break; // PRIORITY and unknown frame types are ignored (RFC 9113 section 4.1)
        }
    }

    private static ReadOnlySpan<byte> Unpad(byte flags, ReadOnlySpan<byte> payload)
    {
        if ((flags & 0x8) == 0)
        {
            return payload;
        }

        int pad = payload.Length > 0 ? payload[0] : 0;
        if (payload.Length == 0 || pad >= payload.Length)
        {
            throw new HttpFramingException("a frame's padding is longer than the frame");
        }

        return payload[1..^pad];
    }

    private void OnData(int stream, byte flags, ReadOnlySpan<byte> payload)
    {
        _received += payload.Length;
        if (_received > LargestWindow / 2)
        {
            // Keep the connection's receive window open: give back what was consumed.
            Span<byte> increment = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(increment, (uint)_received);
            SendControl(FrameType.WindowUpdate, 0, 0, increment);
            _received = 0;
        }

        H2Exchange? exchange = Find(stream);
        if (exchange is null)
        {
            return; // cancelled or timed out: its data is dropped
        }

        ReadOnlySpan<byte> data = Unpad(flags, payload);
        if (!exchange.AddBody(data))
        {
            Cancel(exchange, new BodyTooLargeException(exchange.Options.MaxBodyBytes));
            return;
        }

        if ((flags & 0x1) != 0)
        {
            Complete(exchange);
        }
    }

    private void StartBlock(int stream, bool endStream, bool endHeaders, ReadOnlySpan<byte> fragment)
    {
        _headerBlock.SetLength(0);
        AddToBlock(fragment);
        _blockStream = stream;
        _blockEndsStream = endStream;
        if (endHeaders)
        {
            EndBlock();
        }
    }

    /// <summary>
    /// Gathers a header block's fragments, up to <see cref="HpackDecoder.MaxHeaderListSize"/>: a server that sends
    /// CONTINUATION frames without end would otherwise fill the memory before the step's timeout.
    /// </summary>
    private void AddToBlock(ReadOnlySpan<byte> fragment)
    {
        if (_headerBlock.Length + fragment.Length > HpackDecoder.MaxHeaderListSize)
        {
            throw new HttpFramingException($"the server's header block passes {HpackDecoder.MaxHeaderListSize / 1024} KB (CONTINUATION frames without end?)");
        }

        _headerBlock.Write(fragment);
    }

    /// <summary>A whole header block: decoded (always, to keep the table in step), then given to its exchange.</summary>
    private void EndBlock()
    {
        int stream = _blockStream;
        _blockStream = 0;
        H2Exchange? exchange = Find(stream);
        _decoding = exchange?.HeadersAt == 0 ? exchange : null; // trailers are decoded, not kept
        exchange?.StartHead();
        _hpack.Decode(_headerBlock.GetBuffer().AsSpan(0, (int)_headerBlock.Length), _onField);
        _decoding = null;
        if (exchange is null)
        {
            return;
        }

        if (exchange.HeadersAt == 0)
        {
            if (exchange.Status is >= 100 and < 200)
            {
                return; // an interim answer (100 Continue, 103 Early Hints): the final one follows
            }

            if (exchange.Status == 0)
            {
                Cancel(exchange, new HttpFramingException("the answer has no :status"));
                return;
            }

            exchange.HeadersAt = _time.GetTimestamp();
        }

        if (_blockEndsStream)
        {
            Complete(exchange);
        }
    }

    private void OnField(string name, string value) => _decoding?.Field(name, value);

    private void Complete(H2Exchange exchange)
    {
        if (!Forget(exchange.Id, exchange))
        {
            return;
        }

        if (exchange.SendingBody)
        {
            // Answered before the whole request body went out (a 413, an early error): the rest is not sent, and the stream is closed.
            SendCancel(exchange.Id);
        }

        if (exchange.HeadersAt == 0)
        {
            exchange.Done.TrySetException(new HttpFramingException("the stream ended before its headers"));
        }
        else if (exchange.ContentLengthMismatch() is { } mismatch)
        {
            exchange.Done.TrySetException(new HttpFramingException(mismatch));
        }
        else
        {
            exchange.Done.TrySetResult(exchange.Response());
        }
    }

    private void OnWindowUpdate(int stream, uint increment)
    {
        lock (_outgoing)
        {
            if (stream == 0)
            {
                _sendWindow += increment;
            }
            else
            {
                Find(stream)?.OpenWindow(increment);
            }
        }

        ResumeBodies();
    }

    /// <summary>The server's settings (under the outgoing lock): a new initial window moves every stream's window by the difference (RFC 9113 section 6.9.2).</summary>
    private void ApplySettings(ReadOnlySpan<byte> payload)
    {
        for (int at = 0; at + 6 <= payload.Length; at += 6)
        {
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(payload[at..]);
            uint value = BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..]);
            switch (id)
            {
                case 0x4 when value <= int.MaxValue:
                    foreach (H2Exchange sending in _sendingBodies)
                    {
                        sending.OpenWindow((long)value - _peerInitialWindow);
                    }

                    _peerInitialWindow = (int)value;
                    break;
                case 0x5 when value is >= DefaultMaxFrame and <= 16_777_215:
                    _peerMaxFrame = (int)value;
                    break;
                case 0x3:
                    MaxStreams = (int)Math.Min(value, int.MaxValue);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>The server's limit on concurrent streams (SETTINGS_MAX_CONCURRENT_STREAMS; unlimited until it says).</summary>
    public int MaxStreams { get; private set; } = int.MaxValue;

    private void OnGoAway(ReadOnlySpan<byte> payload)
    {
        _closing = true;
        int last = payload.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue : 0;
        uint code = payload.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(payload[4..]) : 0;
        foreach (H2Exchange exchange in Exchanges().Where(e => e.Id > last))
        {
            if (Forget(exchange.Id, exchange))
            {
                exchange.Done.TrySetException(new NotProcessedException($"the server is closing the connection (GOAWAY, {ErrorName(code)}) and did not take this request"));
            }
        }
    }

    private void Fail(Exception why)
    {
        _closing = true;
        _settings.TrySetException(why);
        foreach (H2Exchange exchange in Exchanges())
        {
            if (Forget(exchange.Id, exchange))
            {
                exchange.Done.TrySetException(why);
            }
        }
    }

    private H2Exchange? Find(int stream)
    {
        lock (_exchanges)
        {
            return _exchanges.GetValueOrDefault(stream);
        }
    }

    private H2Exchange? Take(int stream)
    {
        lock (_exchanges)
        {
            return _exchanges.Remove(stream, out H2Exchange? exchange) ? exchange : null;
        }
    }

    private bool Forget(int stream, H2Exchange exchange)
    {
        lock (_exchanges)
        {
            return _exchanges.TryGetValue(stream, out H2Exchange? found) && found == exchange && _exchanges.Remove(stream);
        }
    }

    private static string ErrorName(uint code) => code switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xd => "HTTP_1_1_REQUIRED",
        _ => $"error code 0x{code:x}",
    };

    internal enum FrameType : byte
    {
        Data = 0x0,
        Headers = 0x1,
        RstStream = 0x3,
        Settings = 0x4,
        PushPromise = 0x5,
        Ping = 0x6,
        GoAway = 0x7,
        WindowUpdate = 0x8,
        Continuation = 0x9,
    }
}

/// <summary>One request on an HTTP/2 connection and what its answer brought so far; completed by the connection's read loop.</summary>
internal sealed class H2Exchange(LeanReadOptions options, long deadline, ConnectTiming connect)
{
    private long? _contentLength;
    private MemoryStream? _kept;
    private byte[]? _body;
    private int _bodySent;

    public TaskCompletionSource<LeanResponse> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public LeanReadOptions Options => options;

    public long Deadline => deadline;

    public int Id { get; set; }

    /// <summary>The connection the exchange went out on.</summary>
    public H2Connection? Connection { get; set; }

    public int Status { get; private set; }

    /// <summary>What the server lets this stream send before its next WINDOW_UPDATE (under the connection's outgoing lock).</summary>
    public long SendWindow { get; private set; }

    /// <summary>The part of the request body not yet queued.</summary>
    public ReadOnlySpan<byte> BodyLeft => _body.AsSpan(_bodySent);

    /// <summary>True while part of the request body is still to be queued.</summary>
    public bool SendingBody => _body is not null && Volatile.Read(ref _bodySent) < _body.Length;

    public void StartBody(byte[] body, int initialWindow)
    {
        _body = body;
        SendWindow = initialWindow;
    }

    public void BodySent(int bytes)
    {
        _bodySent += bytes;
        SendWindow -= bytes;
    }

    public void OpenWindow(long bytes) => SendWindow += bytes;

    public long HeadersAt { get; set; }

    private long Size { get; set; }

    private string? Location { get; set; }

    private Dictionary<string, string>? Headers { get; set; }

    /// <summary>A new header block begins (an interim answer's fields are forgotten).</summary>
    public void StartHead()
    {
        if (HeadersAt == 0)
        {
            Status = 0;
            _contentLength = null;
            Headers = options.KeepHeaders ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : null;
        }
    }

    public void Field(string name, string value)
    {
        if (name == ":status")
        {
            Status = int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int status) ? status : -1;
            return;
        }

        if (name == "content-length")
        {
            if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length) || (_contentLength is { } before && before != length))
            {
                Status = -1; // malformed: reported when the stream completes
            }

            _contentLength = length;
        }
        else if (name == "location")
        {
            Location = value;
        }

        if (Headers is { } headers && !name.StartsWith(':'))
        {
            headers[name] = headers.TryGetValue(name, out string? before) ? before + ", " + value : value;
        }
    }

    /// <summary>Counts (and keeps, when asked) body bytes; false past max_body.</summary>
    public bool AddBody(ReadOnlySpan<byte> data)
    {
        Size += data.Length;
        if (Size > options.MaxBodyBytes)
        {
            return false;
        }

        if (options.KeepBody)
        {
            (_kept ??= new MemoryStream()).Write(data);
        }

        return true;
    }

    /// <summary>What is wrong with the answer's framing, or null: a status that is not three digits, a Content-Length the body does not match (RFC 9113 section 8.1.1).</summary>
    public string? ContentLengthMismatch() =>
        Status is < 100 or > 999 ? "the answer's :status or content-length is not a number"
        : _contentLength is { } declared && !options.Head && Status is not (204 or 304) && declared != Size ? $"the answer's content-length says {declared} bytes, its DATA frames carried {Size}"
        : null;

    public LeanResponse Response() => new(
        Status,
        Size,
        _kept is null ? (options.KeepBody ? string.Empty : null) : Encoding.UTF8.GetString(_kept.GetBuffer(), 0, (int)_kept.Length),
        Headers,
        HeadersAt,
        Location,
        connect);
}

/// <summary>The server did not process the request (REFUSED_STREAM, or a stream past GOAWAY's last one): it may be sent again.</summary>
internal sealed class NotProcessedException(string message) : IOException(message);

/// <summary>The bytes waiting to be written on a connection (used under its own lock).</summary>
internal sealed class Outgoing
{
    public byte[] Buffer { get; private set; } = new byte[4096];

    public int Length { get; private set; }

    /// <summary>Appends bytes as they are (the connection preface).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        Room(bytes.Length);
        bytes.CopyTo(Buffer.AsSpan(Length));
        Length += bytes.Length;
    }

    /// <summary>Appends a frame: the 9-byte header, then <paramref name="payload"/>.</summary>
    public void Frame(H2Connection.FrameType type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        int size = H2Connection.FrameHeaderSize + payload.Length;
        Room(size);
        Span<byte> at = Buffer.AsSpan(Length);
        at[0] = (byte)(payload.Length >> 16);
        at[1] = (byte)(payload.Length >> 8);
        at[2] = (byte)payload.Length;
        at[3] = (byte)type;
        at[4] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(at[5..], stream);
        payload.CopyTo(at[H2Connection.FrameHeaderSize..]);
        Length += size;
    }

    private void Room(int size)
    {
        if (Length + size > Buffer.Length)
        {
            byte[] larger = new byte[Math.Max(Buffer.Length * 2, Length + size)];
            Buffer.AsSpan(0, Length).CopyTo(larger);
            Buffer = larger;
        }
    }

    /// <summary>Hands the filled buffer over in exchange for <paramref name="spare"/> (emptied), which is kept for the next fill.</summary>
    public void Swap(ref byte[] spare)
    {
        (Buffer, spare) = (spare, Buffer);
        Length = 0;
    }
}
