using System.Globalization;
using System.Runtime.InteropServices;

namespace Probe.Runner.Synthetics;

/// <summary>
/// SIGHUP as the request to reload, also when the runner was started with it ignored. <c>nohup</c>, and
/// supervisors and CI runners that start their children that way, hand SIGHUP down ignored, and .NET
/// leaves an ignored signal ignored: <c>kill -HUP</c> would then do nothing, silently. So, as daemons that
/// reload on SIGHUP do, the runner takes the signal back (to its default, at once replaced by the handler)
/// before it registers.
/// </summary>
internal static partial class HangupSignal
{
    private const int SigHup = 1;

    /// <summary>Registers <paramref name="handler"/> for SIGHUP; null on Windows, which has no such signal.</summary>
    public static PosixSignalRegistration? Register(Action<PosixSignalContext> handler)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        if (OperatingSystem.IsLinux() && Ignored(SigHup))
        {
            _ = Signal(SigHup, 0); // SIG_DFL: a hangup in the instant before the next line would end the runner, as it would without nohup
        }

        return PosixSignalRegistration.Create(PosixSignal.SIGHUP, handler);
    }

    /// <summary>Whether <paramref name="signal"/> is ignored by this process (the SigIgn mask of /proc/self/status).</summary>
    /// <remarks>Without a readable /proc (a locked-down container), false: the signal is left as it came.</remarks>
    internal static bool Ignored(int signal)
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                {
                    return ulong.TryParse(line.AsSpan(7).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask) && (mask & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not knowable here.
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
