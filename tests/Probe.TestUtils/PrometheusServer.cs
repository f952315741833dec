using System.Diagnostics;
using System.Text.Json;

namespace Probe.TestUtils;

/// <summary>
/// A real Prometheus (Debian's prometheus) on a free loopback port, scraping one target every second
/// with a bearer token, with a throwaway database; stopped and deleted at the end.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string Path = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _folder;

    private PrometheusServer(Process process, string folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>
    /// Starts Prometheus scraping <paramref name="target"/> (host:port) at /metrics and returns once it is ready (from its own log);
    /// with <paramref name="ruleFiles"/>, it evaluates those rules every second too.
    /// </summary>
    public static Task<PrometheusServer> StartAsync(string target, string? bearerToken, IReadOnlyList<string>? ruleFiles = null) =>
        StartAsync([target], bearerToken, ruleFiles, alertmanager: null);

    /// <summary>As <see cref="StartAsync(string, string?, IReadOnlyList{string}?)"/>, scraping every one of <paramref name="targets"/> and sending alerts to <paramref name="alertmanager"/> (host:port) when given.</summary>
    public static async Task<PrometheusServer> StartAsync(IReadOnlyList<string> targets, string? bearerToken, IReadOnlyList<string>? ruleFiles, string? alertmanager)
    {
        ArgumentNullException.ThrowIfNull(targets);
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"Prometheus is not installed at {Path}: apt-get install prometheus");
        }

        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "probe-prometheus-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        string config = System.IO.Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 1s
              evaluation_interval: 1s
            {(ruleFiles is { Count: > 0 } ? "rule_files:\n" + string.Concat(ruleFiles.Select(f => $"  - \"{f}\"\n")) : string.Empty)}
            {(alertmanager is null ? string.Empty : $"alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [\"{alertmanager}\"]\n")}
            scrape_configs:
              - job_name: probe
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"\"{t}\""))}]
            {(bearerToken is null ? string.Empty : $"    authorization:\n      type: Bearer\n      credentials: \"{bearerToken}\"\n")}
            """);
        int port = LoopbackPorts.Free();
        var start = new ProcessStartInfo(Path, [$"--config.file={config}", $"--storage.tsdb.path={System.IO.Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}"]);
        Process process = await ChildProcesses.StartUntilAsync(start, "Server is ready to receive web requests", TimeSpan.FromSeconds(60));
        return new PrometheusServer(process, folder, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Runs an instant PromQL query; gives each result's labels and value.</summary>
    public async Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryAsync(string promql)
    {
        using var http = new HttpClient();
        string json = await http.GetStringAsync(new Uri(Address, $"api/v1/query?query={Uri.EscapeDataString(promql)}"));
        using JsonDocument doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("data").GetProperty("result").EnumerateArray()
            .Select(r => ((IReadOnlyDictionary<string, string>)r.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!),
                double.Parse(r.GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture)))
            .ToArray();
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
