using System.Text;
using System.Text.RegularExpressions;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

public partial class HtmlChartsTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden");

    /// <summary>
    /// The stored demo run has scenarios that end long before the run does (the RAG questions take two
    /// seconds of a thirty-second run): their latency line must sit at those two seconds on the same
    /// time axis as the load and rate charts above it, not be stretched across an axis of its own.
    /// </summary>
    [Theory]
    [InlineData("demo")]
    [InlineData("failing")]
    public void ChartsOverTime_OfOneScenario_ShareOneTimeAxis(string run)
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, run));
        using var output = new MemoryStream();
        ReportFormats.All.Single(f => f.FileName == "report.html").Write(report, output);
        string html = Encoding.UTF8.GetString(output.ToArray());

        var axes = Chart().Matches(html)
            .Where(m => m.Groups["kind"].Value is "load" or "throughput" or "latency")
            .GroupBy(m => m.Groups["scenario"].Value, m => (Kind: m.Groups["kind"].Value, Ticks: string.Join(" ", XTick().Matches(m.Groups["svg"].Value).Select(t => t.Groups[1].Value))))
            .ToArray();

        Assert.NotEmpty(axes);
        foreach (var scenario in axes)
        {
            Assert.Equal(3, scenario.Count());
            Assert.True(scenario.Select(c => c.Ticks).Distinct().Count() == 1, $"scenario {scenario.Key}: {string.Join("; ", scenario.Select(c => $"{c.Kind}: {c.Ticks}"))}");
        }
    }

    [GeneratedRegex("""<svg id="(?<kind>[a-z]+)-(?<scenario>[0-9]+)"(?<svg>.*?)</svg>""", RegexOptions.Singleline)]
    private static partial Regex Chart();

    [GeneratedRegex("""<text class="tick"[^>]*text-anchor="middle"[^>]*>([^<]*)</text>""")]
    private static partial Regex XTick();
}
