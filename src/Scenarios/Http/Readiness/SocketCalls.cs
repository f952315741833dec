using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Probe.Scenarios.Http.Readiness;

/// <summary>
/// send(2) and recv(2) on a non-blocking socket, called straight from the readiness loops: .NET's
/// <see cref="Socket.Send(ReadOnlySpan{byte}, SocketFlags, out SocketError)"/> goes through several
/// layers (blocking-mode checks, a native shim, error translation) that a socket on an epoll loop never
/// needs, and they cost about as much user CPU as the rest of a request's socket work. The socket's
/// handle is held for the call, as .NET holds it, so a socket closed meanwhile fails with
/// <see cref="ObjectDisposedException"/> and its descriptor is never reused under the call. Errors are
/// the <see cref="SocketError"/> .NET would report for the same errno.
/// </summary>
internal static partial class SocketCalls
{
    private const int NoSignal = 0x4000; // MSG_NOSIGNAL: a closed peer is EPIPE, never SIGPIPE
    private const int Interrupted = 4; // EINTR
    private const int TryAgain = 11; // EAGAIN, which is EWOULDBLOCK on Linux
    private const int NowInProgress = 115; // EINPROGRESS, which .NET's own mapping reads as IOPending

    // errno → SocketError, read from .NET's own mapping (a SocketException knows the errno of its SocketError).
    private static readonly Lazy<Dictionary<int, SocketError>> ErrorsByErrno = new(() =>
    {
        var map = new Dictionary<int, SocketError>();
        foreach (SocketError error in Enum.GetValues<SocketError>())
        {
            if (error is not SocketError.Success and not SocketError.SocketError)
            {
                map.TryAdd(new SocketException((int)error).NativeErrorCode, error);
            }
        }

        return map;
    });

    /// <summary>Sends what it can of <paramref name="data"/>; <see cref="SocketError.WouldBlock"/> when the socket's buffer is full.</summary>
    public static int Send(SafeSocketHandle socket, ReadOnlySpan<byte> data, out SocketError status)
    {
        nint sent;
        while ((sent = send(socket, data, data.Length, NoSignal)) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }

        return Outcome(sent, out status);
    }

    /// <summary>Receives into <paramref name="buffer"/>; 0 at the end of the stream, <see cref="SocketError.WouldBlock"/> when nothing is there yet.</summary>
    public static int Receive(SafeSocketHandle socket, Span<byte> buffer, out SocketError status)
    {
        nint received;
        while ((received = recv(socket, buffer, buffer.Length, 0)) < 0 && Marshal.GetLastPInvokeError() == Interrupted)
        {
        }

        return Outcome(received, out status);
    }

    /// <summary>
    /// Starts connecting to <paramref name="address"/> (.NET's serialised form is the platform's
    /// sockaddr); <see cref="SocketError.InProgress"/> while a non-blocking connect goes on. .NET's
    /// <see cref="Socket.Connect(EndPoint)"/> reports that as a thrown exception, which cost a new
    /// connection more CPU than the connect call itself.
    /// </summary>
    public static SocketError Connect(SafeSocketHandle socket, SocketAddress address)
    {
        if (connect(socket, address.Buffer.Span[..address.Size], address.Size) == 0)
        {
            return SocketError.Success;
        }

        // A connect interrupted by a signal goes on in the background: it is waited for as one in progress.
        int errno = Marshal.GetLastPInvokeError();
        return errno is NowInProgress or Interrupted ? SocketError.InProgress : ErrorOf(errno);
    }

    /// <summary>The <see cref="SocketError"/> .NET reports for <paramref name="errno"/>.</summary>
    internal static SocketError ErrorOf(int errno) =>
        errno == TryAgain ? SocketError.WouldBlock : ErrorsByErrno.Value.GetValueOrDefault(errno, SocketError.SocketError);

    private static int Outcome(nint result, out SocketError status)
    {
        status = result >= 0 ? SocketError.Success : ErrorOf(Marshal.GetLastPInvokeError());
        return result >= 0 ? (int)result : 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(SafeSocketHandle socket, ReadOnlySpan<byte> address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(SafeSocketHandle socket, ReadOnlySpan<byte> data, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recv(SafeSocketHandle socket, Span<byte> buffer, nint length, int flags);
}
