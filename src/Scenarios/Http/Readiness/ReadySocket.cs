using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Probe.Scenarios.Http.Readiness;

/// <summary>
/// A non-blocking TCP socket on a <see cref="ReadinessLoop"/>: one operation at a time (connect, send
/// all of a buffer, or receive), tried when the socket signals readiness rather than speculatively,
/// so a request and its answer cost one send and one receive call, as in wrk. Errors come as the
/// <see cref="SocketException"/> .NET's sockets raise; after <see cref="Dispose"/> a pending operation
/// fails with <see cref="ObjectDisposedException"/>, on cancellation with <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class ReadySocket : IValueTaskSource<int>, IDisposable
{
    /// <summary>The largest send that may be held: an empty socket buffer takes it whole (Linux starts one at 16 KB).</summary>
    public const int MaxHeldBytes = 4 * 1024;

    private const int Idle = 0;
    private const int Armed = 1;
    private const int Signaled = 2;
    private static int _generations;

    private readonly ReadinessLoop _loop;
    private readonly SafeSocketHandle _handle;
    private readonly int _slot;
    private ManualResetValueTaskSourceCore<int> _core;
    private int _state;
    private volatile bool _disposed;
    private int _disposals;
    private Operation _operation;
    private Memory<byte> _receiveInto;
    private ReadOnlyMemory<byte> _sendLeft;
    private int _sent;
    private bool _behind; // a held send's bytes are not all out: the next receive sends them first
    private TimeProvider? _holdClock;
    private long _heldAt;
    private long _heldUntil;
    private bool _drained = true; // nothing left to read since the last signal: a receive waits for the next
    private volatile bool _ended; // the peer closed or reset: no signal may come again, so receives try at once
    private CancellationToken _token;
    private CancellationTokenRegistration _registration;

    private ReadySocket(Socket socket, bool inline)
    {
        Socket = socket;
        _handle = socket.SafeHandle;
        Generation = Interlocked.Increment(ref _generations);
        _core.RunContinuationsAsynchronously = !inline;
        _loop = ReadinessLoop.Next();
        try
        {
            _slot = _loop.Add(this);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private enum Operation
    {
        None,
        Connect,
        Send,
        Receive,
    }

    public static bool Supported => Epoll.Supported;

    public Socket Socket { get; }

    /// <summary>Tells this socket's events from those of an earlier socket in the same slot.</summary>
    public int Generation { get; }

    /// <summary>
    /// Connects to the first of <paramref name="addresses"/> that accepts, with Nagle off. With
    /// <paramref name="inline"/> the socket's continuations run on the loop's thread (see <see cref="ReadinessLoop.Inline"/>).
    /// </summary>
    public static async ValueTask<ReadySocket> ConnectAsync(IPAddress[] addresses, int port, bool inline, CancellationToken cancellation)
    {
        SocketException? last = null;
        foreach (IPAddress address in addresses)
        {
            var socket = new ReadySocket(new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, Blocking = false }, inline);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, port), cancellation).ConfigureAwait(false);
                return socket;
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Takes over <paramref name="connected"/> (an accepted connection, made non-blocking): disposing this closes it.</summary>
    public static ReadySocket Adopt(Socket connected, bool inline)
    {
        connected.Blocking = false;
        return new ReadySocket(connected, inline);
    }

    /// <summary>Sends all of <paramref name="data"/>; at once when the socket's buffer has room, as it mostly has.</summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation) => SendAsync(data, holdClock: null, cancellation, out _);

    /// <summary>
    /// Sends all of <paramref name="data"/>. Given a <paramref name="holdClock"/>, a send asked for while
    /// the socket's loop hands out its events on this thread (an inline continuation) is <paramref name="held"/>
    /// until the loop has handed out the whole batch, and goes out with the other sends the batch led to
    /// — as long as it fits a socket buffer at once (<see cref="MaxHeldBytes"/>). A held send completes at
    /// once, written behind: <paramref name="data"/> must stay as it is until the next receive completes,
    /// that receive sends what the socket could not take at the batch's end, before it reads anything, and
    /// reports the send's error as its own. <see cref="HeldTicks"/> then tells how long it was held.
    /// </summary>
    public ValueTask<int> SendAsync(ReadOnlyMemory<byte> data, TimeProvider? holdClock, CancellationToken cancellation, out bool held)
    {
        _sendLeft = data;
        _sent = 0;
        _drained = true; // the answer to this cannot be there yet
        Prepare(Operation.Send, cancellation);
        held = holdClock is not null && data.Length <= MaxHeldBytes && _loop.TryHold(this);
        if (!held)
        {
            return Arm(tryFirst: true);
        }

        _behind = true;
        _holdClock = holdClock;
        _heldAt = _heldUntil = holdClock!.GetTimestamp();
        return new ValueTask<int>(data.Length);
    }

    /// <summary>How long the last held send waited for its batch's end, in its hold clock's ticks.</summary>
    public long HeldTicks => _heldUntil - _heldAt;

    /// <summary>
    /// Sends what <see cref="SendAsync(ReadOnlyMemory{byte}, TimeProvider?, CancellationToken, out bool)"/> held
    /// (the loop's thread, after its batch). What the socket does not take goes when it signals room, sent
    /// by the receive waiting for the answer; an error wakes that receive, which reports it.
    /// </summary>
    public void SendHeld()
    {
        _heldUntil = _holdClock!.GetTimestamp();
        if (_disposed || !_behind)
        {
            return; // closed (the receive fails as disposed), or already sent by a receive that tried early
        }

        try
        {
            if (SendBehind() is SocketError.Success or SocketError.WouldBlock)
            {
                return;
            }
        }
        catch (ObjectDisposedException)
        {
            return; // closed meanwhile: the receive fails as disposed
        }

        if (Interlocked.Exchange(ref _state, Signaled) == Armed)
        {
            Resume();
        }
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/>: at once when the last receive filled its buffer (more may
    /// be waiting), otherwise — after a send, or once the socket was drained — when it signals data.
    /// </summary>
    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellation)
    {
        _receiveInto = buffer;
        return Start(Operation.Receive, cancellation, tryFirst: !_drained || _ended);
    }

    public void Dispose()
    {
        // Once only, though the watchdog, the exchange and the client's disposal may all close it: the slot must be freed once.
        if (Interlocked.Exchange(ref _disposals, 1) != 0)
        {
            return;
        }

        _disposed = true;
        Socket.Dispose();
        _registration.Dispose();
        Interrupt(); // fails a pending operation
        _loop.Remove(_slot);
    }

    /// <summary>The socket became ready with <paramref name="events"/> (the loop's thread): runs the armed operation, if any.</summary>
    public void Signal(uint events)
    {
        // An end that arrived with the data it followed is reported once, with that data: remember it.
        if ((events & (Epoll.ReadHangup | Epoll.Hangup | Epoll.Error)) != 0)
        {
            _ended = true;
        }

        if (Interlocked.Exchange(ref _state, Signaled) == Armed)
        {
            Resume();
        }
    }

    /// <summary>
    /// Closing or cancellation: the armed operation fails on the thread pool, never on the calling
    /// thread — the watchdog or whoever cancels must not run the request's continuation (and the next
    /// request) inside its own call.
    /// </summary>
    private void Interrupt()
    {
        if (Interlocked.Exchange(ref _state, Signaled) == Armed)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static s => s.Resume(), this, preferLocal: false);
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    /// <summary>Starts connecting; when the connection cannot be made at once, waits for the socket to become writable.</summary>
    private ValueTask<int> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return SocketCalls.Connect(_handle, endpoint.Serialize()) switch
        {
            SocketError.Success => new ValueTask<int>(0),
            SocketError.WouldBlock or SocketError.InProgress => Start(Operation.Connect, cancellation, tryFirst: false),
            SocketError error => ValueTask.FromException<int>(new SocketException((int)error)),
        };
    }

    private ValueTask<int> Start(Operation operation, CancellationToken cancellation, bool tryFirst = true)
    {
        Prepare(operation, cancellation);
        return Arm(tryFirst);
    }

    private void Prepare(Operation operation, CancellationToken cancellation)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Watch(cancellation);
        _operation = operation;
    }

    /// <summary>Tries the prepared operation (when <paramref name="tryFirst"/>), else waits for the socket's next signal.</summary>
    private ValueTask<int> Arm(bool tryFirst)
    {
        if (tryFirst && TryComplete(out int result, out Exception? error))
        {
            return Completed(result, error);
        }

        _core.Reset();
        while (true)
        {
            if (Interlocked.CompareExchange(ref _state, Armed, Idle) == Idle)
            {
                return new ValueTask<int>(this, _core.Version);
            }

            // Signaled since the last operation: try now (the signal may be stale; then arm again).
            Volatile.Write(ref _state, Idle);
            if (TryComplete(out result, out error))
            {
                return Completed(result, error);
            }
        }
    }

    private static ValueTask<int> Completed(int result, Exception? error) =>
        error is null ? new ValueTask<int>(result) : ValueTask.FromException<int>(error);

    /// <summary>Runs the armed operation after a signal, arming again while it would block.</summary>
    private void Resume()
    {
        while (true)
        {
            Volatile.Write(ref _state, Idle); // a signal from now on is a new readiness
            if (TryComplete(out int result, out Exception? error))
            {
                if (error is null)
                {
                    _core.SetResult(result);
                }
                else
                {
                    _core.SetException(error);
                }

                return;
            }

            if (Interlocked.CompareExchange(ref _state, Armed, Idle) == Idle)
            {
                return;
            }
        }
    }

    /// <summary>Tries the operation once: false when it would block.</summary>
    private bool TryComplete(out int result, out Exception? error)
    {
        result = 0;
        error = null;
        if (_disposed)
        {
            error = new ObjectDisposedException(nameof(Socket));
            return true;
        }

        if (_token.IsCancellationRequested)
        {
            error = new OperationCanceledException(_token);
            return true;
        }

        try
        {
            return TryOnce(ref result, ref error);
        }
        catch (ObjectDisposedException e)
        {
            // Closed (a timeout, the client's disposal) while the loop was trying it.
            error = e;
            return true;
        }
    }

    private bool TryOnce(ref int result, ref Exception? error)
    {
        SocketError status;
        switch (_operation)
        {
            case Operation.Receive:
                if (_behind)
                {
                    // The request goes out whole before its answer is read; the answer comes with a later signal.
                    if ((status = SendBehind()) == SocketError.Success)
                    {
                        return false;
                    }

                    break;
                }

                result = SocketCalls.Receive(_handle, _receiveInto.Span, out status);
                _drained = status != SocketError.Success || result < _receiveInto.Length;
                break;
            case Operation.Send:
                int sent = SocketCalls.Send(_handle, _sendLeft.Span, out status);
                if (status == SocketError.Success)
                {
                    _sent += sent;
                    _sendLeft = _sendLeft[sent..];
                    if (_sendLeft.Length > 0)
                    {
                        return false;
                    }

                    result = _sent;
                }

                break;
            case Operation.Connect:
                // A failed connect reports its error; a successful one makes the socket writable.
                status = (SocketError)(int)Socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
                if (status == SocketError.Success && !Socket.Poll(0, SelectMode.SelectWrite))
                {
                    return false;
                }

                break;
            default:
                throw new InvalidOperationException("no operation is pending");
        }

        if (status == SocketError.WouldBlock)
        {
            return false;
        }

        if (status != SocketError.Success)
        {
            error = new SocketException((int)status);
        }

        return true;
    }

    /// <summary>Sends what is left of a held send; clears <see cref="_behind"/> once all of it is out.</summary>
    private SocketError SendBehind()
    {
        int sent = SocketCalls.Send(_handle, _sendLeft.Span, out SocketError status);
        if (status == SocketError.Success)
        {
            _sendLeft = _sendLeft[sent..];
            _behind = _sendLeft.Length > 0;
        }

        return status;
    }

    /// <summary>Cancellation signals the socket; one registration serves every operation with the same token.</summary>
    private void Watch(CancellationToken cancellation)
    {
        if (cancellation == _token)
        {
            return;
        }

        _registration.Dispose();
        _token = cancellation;
        _registration = cancellation.UnsafeRegister(static s => ((ReadySocket)s!).Interrupt(), this);
    }
}
