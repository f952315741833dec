using System.Net.Sockets;
using System.Text.Json;
using Probe.DemoTarget;
using Probe.DemoTarget.Faults;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Targets;

/// <summary>
/// Starts the built-in demo target in this process for every suite target marked <c>"demo": true</c>
/// on a loopback address where nothing listens yet, so the quick start needs no second terminal; with
/// the faults the suite gave it (<c>"demo": { "ttft": "200ms" }</c>).
/// </summary>
internal static class DemoTargets
{
    public static async Task<IReadOnlyList<DemoTargetHost>> StartWhereNeededAsync(SuiteDefinition suite, IEnumerable<string> usedTargets, TextWriter log, CancellationToken cancellation)
    {
        var started = new List<DemoTargetHost>();
        foreach (TargetSpec target in usedTargets.Distinct().Select(t => suite.Targets[t]).Where(t => t.Demo && t.Url.IsLoopback))
        {
            if (await ListensAsync(target.Url, cancellation))
            {
                continue;
            }

            string host = target.Url.Host == "localhost" ? "127.0.0.1" : target.Url.Host.Trim('[', ']');
            FaultSettings faults = target.DemoFaults is { } change ? change.Deserialize<FaultChange>()!.ApplyTo(new FaultSettings()) : new FaultSettings();
            started.Add(await DemoTargetHost.StartAsync(new DemoTargetOptions { Listen = $"{(host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host)}:{target.Url.Port}", Faults = faults }, cancellation));
            log.WriteLine($"started the built-in demo target for '{target.Name}' on {target.Url}");
        }

        return started;
    }

    private static async Task<bool> ListensAsync(Uri url, CancellationToken cancellation)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(url.Host, url.Port, cancellation);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
