using Microsoft.Playwright;
using Probe.DemoTarget;
using Probe.DemoTarget.Faults;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

/// <summary>report.html as a person sees it, in Debian's Chromium: every section there, charts drawn with readable axes, nothing wider than the page, no script errors.</summary>
[Collection(RealTimeCollection.Name)]
public class HtmlReportTests
{
    [Fact]
    public async Task ReportHtml_InChromium_ShowsEverySectionChartsWithDistinctTicksAndNothingOverflows()
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
                  "steps": [ { "name": "search", "http": { "method": "POST", "path": "/api/knowledge/search", "json": { "query": "haircut prices" } }, "checks": ["status == 200", "body.results.length >= 1"] } ],
                  "load": { "keep_constant": { "copies": 2, "during": "3s" } },
                  "thresholds": ["error_rate < 1%", "p95 < 2s"]
                },
                "answers": {
                  "steps": [ { "name": "golden", "rag": { "path": "/rag/query", "golden": "faq" } } ],
                  "load": { "iterations_for_constant": { "copies": 1, "iterations": 3 } }
                }
              },
              "golden": { "faq": [
                { "question": "How much is a haircut?", "facts": ["$30"], "sources": ["pricing.md"] },
                { "question": "<b>Is the shop open on Sunday?</b>", "facts": ["open every Sunday"], "sources": ["hours.md"] }
              ] }
            }
            """);
        var (exit, stdout, _) = await ProbeProcess.RunAsync(folder, "run", "suite.json", "--quiet", "--out", "out");
        Assert.True(exit == 1, stdout);
        string report = Path.Combine(folder, "out", "report.html");

        var errors = new List<string>();
        await using TestBrowser browser = await TestBrowser.StartAsync();
        IPage page = await browser.OpenAsync(new Uri(report).AbsoluteUri, errors);

        Assert.Equal("yes", await page.GetAttributeAsync("body", "data-rendered"));
        Assert.Equal("4", await page.GetAttributeAsync("body", "data-charts")); // the 3 s load test is charted (load, throughput, latency, distribution); the three RAG iterations get tables
        Assert.Equal("none", await page.GetAttributeAsync("body", "data-overflowing"));
        Assert.Equal("FAILED", await page.InnerTextAsync("#verdict"));
        Assert.Equal(2, await page.Locator("section.scenario").CountAsync());
        Assert.Equal(["body.results.length >= 1", "status == 200"], (await page.Locator("#scenario-0 table.checks code").AllInnerTextsAsync()).Order());
        Assert.Equal(2, await page.Locator("#scenario-1 .rag table.questions tr").CountAsync() - 1);
        Assert.Contains("<b>Is the shop open on Sunday?</b>", await page.InnerTextAsync("#scenario-1 .rag table.questions"), StringComparison.Ordinal); // shown as text, not markup
        foreach (string chart in await page.Locator("svg.chart").EvaluateAllAsync<string[]>("charts => charts.map(c => c.id)"))
        {
            string[] ticks = [.. await page.Locator($"#{chart} text.tick[text-anchor=end]").AllTextContentsAsync()];
            Assert.True(ticks.Length >= 2 && ticks.Distinct().Count() == ticks.Length, $"{chart}: y ticks {string.Join(", ", ticks)}");
        }

        foreach (string section in await page.Locator("section").EvaluateAllAsync<string[]>("sections => sections.map(s => s.id)"))
        {
            string shot = Path.Combine(folder, "out", $"{section}.png");
            await page.Locator($"#{section}").ScreenshotAsync(new LocatorScreenshotOptions { Path = shot });
            Assert.True(new FileInfo(shot).Length > 2_000, $"the screenshot of {section} should show it");
        }

        Assert.Empty(errors);
        var (promtool, problems) = await Promtool.CheckMetricsAsync(Path.Combine(folder, "out", "metrics.prom"));
        Assert.True(promtool == 0, problems);
        Assert.DoesNotContain("http://", File.ReadAllText(report).Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
