using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>A real Prometheus Pushgateway (Debian's prometheus-pushgateway) on a free loopback port, for the life of a test.</summary>
public sealed class PushgatewayServer : IAsyncDisposable
{
    public const string Path = "/usr/bin/prometheus-pushgateway";

    private readonly Process _process;

    private PushgatewayServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Starts it and returns once it logs that it listens (no polling).</summary>
    public static async Task<PushgatewayServer> StartAsync()
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"the Pushgateway is not installed at {Path}: apt-get install prometheus-pushgateway");
        }

        int port = LoopbackPorts.Free();
        Process process = await ChildProcesses.StartUntilAsync(new ProcessStartInfo(Path, [$"--web.listen-address=127.0.0.1:{port}"]), "Listening on", TimeSpan.FromSeconds(30));
        return new PushgatewayServer(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
