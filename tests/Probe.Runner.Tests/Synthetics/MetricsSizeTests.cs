using System.Text.RegularExpressions;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// What one check costs on the runner's /metrics, as docs/metrics.md "Size per check" promises: a
/// one-step HTTP check is at most 80 lines per region, and no series appears twice.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed partial class MetricsSizeTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Metrics_OneStepHttpCheck_IsAtMostEightyLinesPerRegionWithNoSeriesTwice()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort(), regions: "[\"us-east\", \"eu-west\", \"ap-south\"]");
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--regions", "us-east,eu-west,ap-south");
        await runner.WaitForResultsAsync(18, Limit);

        using var http = new HttpClient();
        string[] samples = (await http.GetStringAsync(new Uri(runner.Address!, "/metrics")))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith('#')).ToArray();

        string[] health = samples.Where(line => line.Contains("scenario=\"health\"", StringComparison.Ordinal)).ToArray();
        foreach (string region in new[] { "us-east", "eu-west", "ap-south" })
        {
            int lines = health.Count(line => line.Contains($"region=\"{region}\"", StringComparison.Ordinal));
            Assert.InRange(lines, 20, 80);
        }

        string[] series = samples.Select(line => SampleValue().Replace(line, string.Empty)).ToArray();
        Assert.Empty(series.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key));

        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
    }

    /// <summary>A sample line's value (and timestamp), after the series name and labels.</summary>
    [GeneratedRegex(@" [^ }]+( [0-9]+)?$")]
    private static partial Regex SampleValue();
}
