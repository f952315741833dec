using Probe.DemoTarget;
using Probe.DemoTarget.Faults;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

[Collection(RealTimeCollection.Name)]
public class HtmlReportTests
{
    [Fact]
    public async Task ReportHtml_InHeadlessChromium_RendersItsChartsAndVerdictWithoutConsoleErrors()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync(new DemoTargetOptions
        {
            Faults = new FaultSettings { Latency = LatencyDistribution.Parse("uniform:1ms..9ms"), ErrorRate = 0.05 },
        });
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "suite.json"), $$"""
            {
              "suite": "html",
              "targets": { "api": { "url": "{{target.Address}}" } },
              "scenarios": {
                "search": {
                  "steps": [ { "name": "search", "http": { "method": "POST", "path": "/api/knowledge/search", "json": { "query": "haircut prices" } }, "checks": ["status == 200"] } ],
                  "load": { "keep_constant": { "copies": 2, "during": "3s" } },
                  "thresholds": ["error_rate < 1%", "p95 < 2s"]
                }
              }
            }
            """);
        var (exit, stdout, _) = await ProbeProcess.RunAsync(folder, "run", "suite.json", "--quiet", "--out", "out");
        Assert.True(exit == 1, stdout);
        string report = Path.Combine(folder, "out", "report.html");
        string screenshot = Path.Combine(folder, "out", "report.png");

        (string dom, string log) = await HeadlessChromium.LoadAsync(new Uri(report).AbsoluteUri, screenshot);

        Assert.Contains("data-rendered=\"yes\"", dom, StringComparison.Ordinal);
        Assert.Contains("data-charts=\"4\"", dom, StringComparison.Ordinal);
        Assert.Contains("<span id=\"verdict\" class=\"verdict failed\">FAILED</span>", dom, StringComparison.Ordinal);
        Assert.Contains("<code>error_rate &lt; 1%</code>", dom, StringComparison.Ordinal);
        Assert.DoesNotContain("Uncaught", log, StringComparison.Ordinal);
        Assert.DoesNotContain(":CONSOLE(", log, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 20_000, "the screenshot should show a page, not a blank");
        var (promtool, problems) = await Promtool.CheckMetricsAsync(Path.Combine(folder, "out", "metrics.prom"));
        Assert.True(promtool == 0, problems);
        string metrics = File.ReadAllText(Path.Combine(folder, "out", "metrics.prom"));
        Assert.Contains("probe_gate_verdict{suite=\"html\",gate=\"thresholds\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("probe_check_duration_seconds_bucket{suite=\"html\",scenario=\"search\",step=\"search\",region=\"local\",le=\"+Inf\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", File.ReadAllText(report).Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
