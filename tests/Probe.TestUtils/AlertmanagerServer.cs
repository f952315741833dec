using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>
/// A real Alertmanager (Debian's prometheus-alertmanager) on a free loopback port, clustering off, routing
/// every alert to one webhook with resolved notifications, grouped per alert, suite, scenario and region
/// and sent within a second; a throwaway data folder, stopped and deleted at the end.
/// </summary>
public sealed class AlertmanagerServer : IAsyncDisposable
{
    public const string Path = "/usr/bin/prometheus-alertmanager";

    private readonly Process _process;
    private readonly string _folder;

    private AlertmanagerServer(Process process, string folder, string address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    /// <summary>host:port, as Prometheus's alerting configuration names it.</summary>
    public string Address { get; }

    public static async Task<AlertmanagerServer> StartAsync(Uri webhook)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"Alertmanager is not installed at {Path}: apt-get install prometheus-alertmanager");
        }

        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "probe-alertmanager-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        string config = System.IO.Path.Combine(folder, "alertmanager.yml");
        await File.WriteAllTextAsync(config, $"""
            route:
              receiver: hook
              group_by: [alertname, suite, scenario, region]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
              - name: hook
                webhook_configs:
                  - url: "{webhook}"
                    send_resolved: true
            """);
        int port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(Path, [$"--config.file={config}", $"--storage.path={System.IO.Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        Process process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var server = new AlertmanagerServer(process, folder, $"127.0.0.1:{port}");
        using var http = new HttpClient();
        try
        {
            await Poll.UntilAsync(c => ReadyAsync(http, port, c), ready => ready || process.HasExited, TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return process.HasExited ? throw new InvalidOperationException($"Alertmanager exited with {process.ExitCode} before it was ready") : server;
    }

    private static async Task<bool> ReadyAsync(HttpClient http, int port, CancellationToken cancellation)
    {
        try
        {
            using HttpResponseMessage answer = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/-/ready"), cancellation);
            return answer.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
