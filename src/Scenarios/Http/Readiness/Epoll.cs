using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Probe.Scenarios.Http.Readiness;

/// <summary>Linux's epoll, as the readiness loops use it: edge-triggered, one 64-bit key per socket.</summary>
internal static partial class Epoll
{
    public const uint In = 0x001;
    public const uint Out = 0x004;
    public const uint Error = 0x008;
    public const uint Hangup = 0x010;
    public const uint ReadHangup = 0x2000;
    public const uint EdgeTriggered = 1u << 31;

    private const int CloseOnExec = 0x80000;
    private const int Add = 1;
    private const int Interrupted = 4;

    /// <summary>epoll_event is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).</summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static readonly int KeyOffset = EventSize == 12 ? 4 : 8;

    /// <summary>Where epoll is there and its event layout is known.</summary>
    public static bool Supported { get; } = OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    public static int Create()
    {
        int fd = epoll_create1(CloseOnExec);
        return fd >= 0 ? fd : throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "epoll_create1 failed");
    }

    /// <summary>Adds <paramref name="fd"/> for <paramref name="events"/>, reported with <paramref name="key"/>.</summary>
    public static void Register(int epoll, nint fd, uint events, ulong key)
    {
        Span<byte> ev = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(ev, events);
        BinaryPrimitives.WriteUInt64LittleEndian(ev[KeyOffset..], key);
        if (epoll_ctl(epoll, Add, (int)fd, ev) != 0)
        {
            throw new System.Net.Sockets.SocketException(Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> (-1: for as long as it takes, 0: not at all) for events into
    /// <paramref name="events"/> (<see cref="EventSize"/> bytes each); returns how many (0 when interrupted or none came).
    /// </summary>
    public static int Wait(int epoll, byte[] events, int timeoutMs = -1)
    {
        int n = epoll_wait(epoll, events, events.Length / EventSize, timeoutMs);
        return n >= 0 ? n
            : Marshal.GetLastPInvokeError() == Interrupted ? 0
            : throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), "epoll_wait failed");
    }

    public static uint EventsAt(byte[] events, int index) => BinaryPrimitives.ReadUInt32LittleEndian(events.AsSpan(index * EventSize));

    public static ulong KeyAt(byte[] events, int index) => BinaryPrimitives.ReadUInt64LittleEndian(events.AsSpan((index * EventSize) + KeyOffset));

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epoll, int op, int fd, ReadOnlySpan<byte> ev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epoll, [Out] byte[] events, int maxEvents, int timeout);
}
