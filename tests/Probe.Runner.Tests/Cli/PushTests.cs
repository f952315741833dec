using System.Text.Json;
using Probe.DemoTarget;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

[Collection(RealTimeCollection.Name)]
public class PushTests
{
    private const string Suite = """
        { "suite": "gate", "targets": { "api": { "url": "TARGET" } },
          "scenarios": { "search": { "steps": [ { "name": "health", "http": { "path": "/health" }, "checks": ["status == 200"] } ],
                                     "load": { "iterations_for_constant": { "copies": 2, "iterations": 20 } }, "thresholds": ["error_rate < 1%"] } } }
        """;

    [Fact]
    public async Task Run_WithPush_TheRealPushgatewayServesTheVerdict()
    {
        await using PushgatewayServer pushgateway = await PushgatewayServer.StartAsync();
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "gate.json"), Suite.Replace("TARGET", target.Address.ToString(), StringComparison.Ordinal));

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "gate.json", "--out", "out", "--push", pushgateway.Address.ToString());

        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"pushed the run's metrics to {pushgateway.Address}", stdout, StringComparison.Ordinal);
        using var http = new HttpClient();
        using JsonDocument api = JsonDocument.Parse(await http.GetStringAsync(new Uri(pushgateway.Address, "api/v1/metrics")));
        JsonElement group = Assert.Single(api.RootElement.GetProperty("data").EnumerateArray());
        Assert.Equal(("probe", "gate"), (group.GetProperty("labels").GetProperty("job").GetString(), group.GetProperty("labels").GetProperty("suite").GetString()));
        JsonElement verdict = group.GetProperty("probe_gate_verdict").GetProperty("metrics")[0];
        Assert.Equal("1", verdict.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Run_PushgatewayUnreachable_ExitsTwoBeforeRunning()
    {
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "gate.json"), Suite.Replace("TARGET", "http://127.0.0.1:1", StringComparison.Ordinal));

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", "gate.json", "--push", $"http://127.0.0.1:{ProbeProcess.FreePort()}");

        Assert.Equal(2, exit);
        Assert.Contains("probe: --push: cannot reach the Pushgateway at http://127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.Contains("; nothing was run", stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }
}
