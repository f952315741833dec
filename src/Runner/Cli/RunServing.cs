using System.Globalization;
using Probe.Engine.Running;
using Probe.Exporter.Prometheus;
using Probe.Runner.Input;
using Probe.Runner.Serving;

namespace Probe.Runner.Cli;

/// <summary>What <c>probe run</c> serves while it runs: live figures at /metrics (<c>--metrics-listen</c>) and load changes at /load (<c>--control</c>).</summary>
internal static class RunServing
{
    /// <summary>Starts the live /metrics endpoint when asked; throws <see cref="ArgumentException"/> for a bad address or token file.</summary>
    public static async Task<MetricsServer?> StartMetricsAsync(string? listen, string? tokenFile, string suite, TextWriter log, CancellationToken cancellation)
    {
        if (listen is null)
        {
            return null;
        }

        System.Net.IPEndPoint endpoint = ServingInput.Listen(listen, "--metrics-listen");
        string? token = await ServingInput.TokenAsync(tokenFile, "--metrics-token-file", cancellation);
        MetricsServer server = await MetricsServer.StartAsync(new MetricRegistry(), endpoint, token, cancellation: cancellation);
        log.WriteLine($"serving live metrics of suite {suite} at {server.Address}metrics");
        return server;
    }

    /// <summary>Starts the load control endpoint; throws <see cref="ArgumentException"/> for a bad address or token file, <see cref="IOException"/> when it cannot listen.</summary>
    public static async Task<ControlServer> StartControlAsync(string listen, string? tokenFile, LoadControl control, TextWriter log, CancellationToken cancellation)
    {
        System.Net.IPEndPoint endpoint = ServingInput.Listen(listen, "--control");
        string? token = await ServingInput.TokenAsync(tokenFile, "--control-token-file", cancellation);
        ControlServer server;
        try
        {
            server = await ControlServer.StartAsync(control, endpoint, token, change => log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load change at {change.At.TotalSeconds:0.0}s: {change.Scenario} {change.Text} ({change.Source})")), cancellation);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            throw new IOException($"--control: cannot listen on {endpoint}: {e.Message}", e);
        }

        log.WriteLine($"accepting load changes at {server.Address}load (probe control {endpoint} SCENARIO --copies N | --rate R | --plan)");
        return server;
    }
}
