using System.Text.Json;
using System.Text.RegularExpressions;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

[Collection(RealTimeCollection.Name)]
public partial class DashboardTests
{
    /// <summary>Every series the dashboard queries is one Probe writes (metrics.prom), serves (probe synthetics) or records (probe rules).</summary>
    [Fact]
    public async Task Dashboard_QueriesOnlySeriesProbeProduces()
    {
        string folder = ProbeProcess.TempFolder();
        await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "scenarios.json"), "--out", "rules");
        string rules = File.ReadAllText(Path.Combine(folder, "rules", "probe-rules.yml"));
        string exporter = string.Concat(Directory.GetFiles(Path.Combine(Repository.Root, "src", "Exporter", "Prometheus"), "*.cs")
            .Concat(Directory.GetFiles(Path.Combine(Repository.Root, "src", "Runner", "Synthetics"), "*.cs"))
            .Select(File.ReadAllText));
        using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "grafana", "probe-dashboard.json")));

        string[] exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToArray();
        Assert.NotEmpty(exprs);
        foreach (string name in exprs.SelectMany(e => Series().Matches(e).Select(m => m.Value)).Distinct())
        {
            string family = Regex.Replace(name, "_(bucket|count|sum)$", string.Empty);
            bool known = exporter.Contains($"\"{family}\"", StringComparison.Ordinal) || rules.Contains(name, StringComparison.Ordinal);
            Assert.True(known, $"the dashboard queries {name}, which Probe does not produce");
        }
    }

    [GeneratedRegex(@"probe[:_][a-z0-9_:]+")]
    private static partial Regex Series();
}
