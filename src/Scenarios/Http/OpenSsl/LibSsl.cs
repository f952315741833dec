using System.Runtime.InteropServices;
using System.Text;

namespace Probe.Scenarios.Http.OpenSsl;

/// <summary>
/// The part of OpenSSL 3 (libssl.so.3, libcrypto.so.3: what .NET itself uses on Linux) that the lean client's own TLS
/// calls: contexts, connections over memory BIOs, sessions, and the error queue. Signatures follow the OpenSSL 3.0
/// manual pages; C's <c>long</c> is <see cref="nint"/> (LP64 Linux only, where <see cref="Supported"/> is true).
/// </summary>
internal static unsafe partial class LibSsl
{
    public const int ErrorSsl = 1;
    public const int ErrorWantRead = 2;
    public const int ErrorZeroReturn = 6;
    public const int VerifyNone = 0;
    public const int ShutDown = 3; // SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN

    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";
    private const int CtrlMode = 33;
    private const int ModeReleaseBuffers = 0x10;
    private const int CtrlSetTlsextHostname = 55;
    private const int TlsextNametypeHostName = 0;

    /// <summary>
    /// Where this process can load OpenSSL 3 (64-bit Linux), and the environment does not ask for .NET's TLS instead
    /// (<c>PROBE_LEAN_TLS=dotnet</c>, for side-by-side measurements).
    /// </summary>
    public static bool Supported { get; } = CanLoad();

    /// <summary>Sets the server name (SNI) <paramref name="ssl"/> sends.</summary>
    public static bool SetHostName(nint ssl, string host)
    {
        byte[] name = new byte[Encoding.ASCII.GetByteCount(host) + 1]; // NUL-terminated; OpenSSL copies it
        Encoding.ASCII.GetBytes(host, name);
        return SSL_ctrl(ssl, CtrlSetTlsextHostname, TlsextNametypeHostName, name) == 1;
    }

    /// <summary>Lets the connections of <paramref name="context"/> free their record buffers while idle.</summary>
    public static void ReleaseIdleBuffers(nint context) => SSL_CTX_ctrl(context, CtrlMode, ModeReleaseBuffers, 0);

    /// <summary>The protocol the server chose in ALPN (empty when none).</summary>
    public static ReadOnlySpan<byte> SelectedAlpn(nint ssl)
    {
        SSL_get0_alpn_selected(ssl, out byte* data, out uint length);
        return data is null ? [] : new ReadOnlySpan<byte>(data, (int)length);
    }

    /// <summary>
    /// Takes the thread's OpenSSL errors (the queue is per thread; call on the thread of the failed call) as one
    /// sentence: the reason of each, without codes and library names ("tlsv1 alert no application protocol").
    /// </summary>
    public static string TakeErrors()
    {
        var reasons = new List<string>();
        Span<byte> text = stackalloc byte[256];
        for (nuint error = ERR_get_error(); error != 0; error = ERR_get_error())
        {
            text.Clear();
            ERR_error_string_n(error, text, (nuint)text.Length);
            string line = Encoding.ASCII.GetString(text[..Math.Max(0, text.IndexOf((byte)0))]);
            string reason = line[(line.LastIndexOf(':') + 1)..];
            if (reason.Length > 0 && !reasons.Contains(reason))
            {
                reasons.Add(reason);
            }
        }

        return reasons.Count == 0 ? "OpenSSL gave no reason" : string.Join("; ", reasons);
    }

    [LibraryImport(Ssl)]
    public static partial nint TLS_client_method();

    [LibraryImport(Ssl)]
    public static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_verify(nint context, int mode, nint callback);

    /// <summary>Returns 0 on success (unlike most of OpenSSL).</summary>
    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_set_alpn_protos(nint context, ReadOnlySpan<byte> protocols, uint length);

    [LibraryImport(Ssl)]
    public static partial nint SSL_new(nint context);

    [LibraryImport(Ssl)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Ssl)]
    public static partial void SSL_set_connect_state(nint ssl);

    /// <summary>Gives <paramref name="ssl"/> its two BIOs; it owns and frees them from here on.</summary>
    [LibraryImport(Ssl)]
    public static partial void SSL_set_bio(nint ssl, nint readBio, nint writeBio);

    [LibraryImport(Ssl)]
    public static partial int SSL_do_handshake(nint ssl);

    /// <summary>Marks the connection shut down (<see cref="ShutDown"/>): freeing it then leaves its session resumable.</summary>
    [LibraryImport(Ssl)]
    public static partial void SSL_set_shutdown(nint ssl, int mode);

    [LibraryImport(Ssl)]
    public static partial int SSL_get_error(nint ssl, int result);

    [LibraryImport(Ssl)]
    public static partial int SSL_read(nint ssl, Span<byte> buffer, int count);

    [LibraryImport(Ssl)]
    public static partial int SSL_write(nint ssl, ReadOnlySpan<byte> buffer, int count);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get1_session(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_set_session(nint ssl, nint session);

    [LibraryImport(Ssl)]
    public static partial int SSL_session_reused(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_SESSION_is_resumable(nint session);

    [LibraryImport(Ssl)]
    public static partial void SSL_SESSION_free(nint session);

    [LibraryImport(Crypto)]
    public static partial nint BIO_s_mem();

    [LibraryImport(Crypto)]
    public static partial nint BIO_new(nint method);

    [LibraryImport(Crypto)]
    public static partial int BIO_read(nint bio, Span<byte> buffer, int count);

    [LibraryImport(Crypto)]
    public static partial int BIO_write(nint bio, ReadOnlySpan<byte> buffer, int count);

    [LibraryImport(Crypto)]
    public static partial nuint BIO_ctrl_pending(nint bio);

    [LibraryImport(Crypto)]
    public static partial void ERR_clear_error();

    [LibraryImport(Ssl)]
    private static partial nint SSL_CTX_ctrl(nint context, int command, nint argument, nint pointer);

    [LibraryImport(Ssl)]
    private static partial nint SSL_ctrl(nint ssl, int command, nint argument, ReadOnlySpan<byte> pointer);

    [LibraryImport(Ssl)]
    private static partial void SSL_get0_alpn_selected(nint ssl, out byte* data, out uint length);

    [LibraryImport(Crypto)]
    private static partial nuint ERR_get_error();

    [LibraryImport(Crypto)]
    private static partial void ERR_error_string_n(nuint error, Span<byte> buffer, nuint length);

    private static bool CanLoad()
    {
        if (!OperatingSystem.IsLinux() || !Environment.Is64BitProcess
            || string.Equals(Environment.GetEnvironmentVariable("PROBE_LEAN_TLS"), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return NativeLibrary.TryLoad(Ssl, out nint ssl) && NativeLibrary.TryGetExport(ssl, "SSL_get0_alpn_selected", out _)
            && NativeLibrary.TryLoad(Crypto, out nint crypto) && NativeLibrary.TryGetExport(crypto, "BIO_s_mem", out _);
    }
}
