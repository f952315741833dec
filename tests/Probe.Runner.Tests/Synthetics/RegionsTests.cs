using System.Globalization;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// Three regions in one process against the demo target, one with its network cut (100 % loss): the
/// per-region series, the N-of-M quorum view, a real Prometheus scrape and the status page in a real
/// browser must all show exactly that.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class RegionsTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ThreeRegions_OneDegraded_SeriesQuorumPrometheusAndStatusPageShowIt()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort(), regions: "[\"us-east\", \"eu-west\", \"ap-south\"]");
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--regions", "us-east,eu-west,ap-south", "--simulate", "ap-south:loss=100%", "--refresh", "1s");
        await runner.WaitForResultsAsync(18, Limit);
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result" && e.GetProperty("region").GetString() == "ap-south" && !e.GetProperty("ok").GetBoolean(), Limit);

        await using PrometheusServer prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{runner.Address!.Port}", bearerToken: null);
        var success = await QueryUntilAsync(prometheus, "probe_success", r => r.Count == 6);
        Assert.All(success, s => Assert.Equal(s.Labels["region"] == "ap-south" ? 0 : 1, s.Value));
        var reasons = await QueryUntilAsync(prometheus, "sum by (region, reason) (probe_check_failures_total)", r => r.Count > 0);
        Assert.Equal([("ap-south", "connect")], reasons.Select(r => (r.Labels["region"], r.Labels["reason"])));
        var quorum = await QueryUntilAsync(prometheus, "probe_quorum_up", r => r.Count == 2);
        Assert.All(quorum, q => Assert.Equal(1, q.Value));
        var succeeding = await QueryUntilAsync(prometheus, "probe_regions_succeeding", r => r.Count == 2);
        Assert.All(succeeding, s => Assert.Equal(2, s.Value));
        var sli = await QueryUntilAsync(prometheus, "probe_sli_ratio{slo=\"availability\",window=\"5m\"}", r => r.Count == 4);
        Assert.Equal(
            [("all", 1.0), ("ap-south", 0.0), ("eu-west", 1.0), ("us-east", 1.0)],
            sli.Select(s => (s.Labels["region"], s.Value)).OrderBy(s => s.Item1, StringComparer.Ordinal));
        var budget = await QueryUntilAsync(prometheus, "probe_slo_error_budget_remaining_ratio{region=\"ap-south\"}", r => r.Count == 1);
        Assert.True(budget[0].Value < 0, "a region failing every check has overspent its budget");
        var runners = await QueryUntilAsync(prometheus, "probe_runner_up", r => r.Count == 3);
        Assert.All(runners, r => Assert.Equal(1, r.Value));

        string shot = Path.Combine(folder, "status.png");
        (string dom, _) = await HeadlessChromium.LoadAsync(runner.Address.ToString(), shot);
        Assert.Contains("<h1>synth</h1>", dom, StringComparison.Ordinal);
        Assert.Matches("<td>health</td><td>every 1s</td><td><span class=\"ok\">UP</span> 2/3</td>", dom);
        Assert.Matches("<td data-region=\"ap-south\"><span class=\"fail\">✗ connect</span>", dom);
        Assert.Matches("<td data-region=\"eu-west\"><span class=\"ok\">✓ ok</span>", dom);
        Assert.Contains("simulated packet loss", dom, StringComparison.Ordinal);
        Assert.True(new FileInfo(shot).Length > 10_000, "the screenshot should show the rendered page");

        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
    }

    /// <summary>Asks until the answer is complete: Prometheus scrapes every second.</summary>
    private static Task<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>> QueryUntilAsync(PrometheusServer prometheus, string promql, Func<IReadOnlyList<(IReadOnlyDictionary<string, string> Labels, double Value)>, bool> done) =>
        Poll.UntilAsync(_ => prometheus.QueryAsync(promql), done, Limit);
}
