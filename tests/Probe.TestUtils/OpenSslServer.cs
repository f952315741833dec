using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Probe.TestUtils;

/// <summary>
/// OpenSSL's own test server (<c>openssl s_server -www</c>) on a free loopback port, for the life of a test:
/// it answers every GET with a page describing the connection's TLS session, including whether the
/// handshake was full ("New, TLSv1.3, …") or resumed ("Reused, TLSv1.3, …"), which .NET's servers do not tell.
/// One connection at a time; each answer closes its connection.
/// </summary>
public sealed class OpenSslServer : IAsyncDisposable
{
    public const string Path = "/usr/bin/openssl";

    private readonly Process _process;
    private readonly string _folder;

    private OpenSslServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Starts it with <paramref name="certificate"/> (RSA, with its key) and returns once it accepts connections.</summary>
    /// <param name="certificate">The server's certificate.</param>
    /// <param name="options">More of s_server's options, such as <c>-tls1_2</c> (TLS 1.2 only).</param>
    public static async Task<OpenSslServer> StartAsync(X509Certificate2 certificate, params string[] options)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"openssl is not installed at {Path}: apt-get install openssl");
        }

        string folder = Directory.CreateTempSubdirectory("probe-s_server-").FullName;
        await File.WriteAllTextAsync(System.IO.Path.Combine(folder, "cert.pem"), certificate.ExportCertificatePem());
        using RSA key = certificate.GetRSAPrivateKey() ?? throw new ArgumentException("an RSA certificate with its private key is needed", nameof(certificate));
        await File.WriteAllTextAsync(System.IO.Path.Combine(folder, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        int port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(Path, ["s_server", "-accept", $"127.0.0.1:{port}", "-cert", "cert.pem", "-key", "key.pem", "-www", .. options]) { WorkingDirectory = folder };
        Process process = await ChildProcesses.StartUntilAsync(start, "ACCEPT", TimeSpan.FromSeconds(30), onStandardOutput: true);
        return new OpenSslServer(process, folder, port);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
