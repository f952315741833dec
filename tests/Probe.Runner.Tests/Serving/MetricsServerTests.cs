using System.Net;
using Probe.Exporter.Prometheus;
using Probe.Runner.Serving;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Serving;

[Collection(RealTimeCollection.Name)]
public class MetricsServerTests
{
    [Fact]
    public async Task Metrics_ScrapedByARealPrometheusWithAToken_AreQueryable()
    {
        var registry = new MetricRegistry();
        MetricFamily runs = registry.Add(ProbeSeries.CheckRuns);
        runs.WithLabels("demo", "smoke", string.Empty, "eu-west", "ok").Add(97);
        runs.WithLabels("demo", "smoke", string.Empty, "eu-west", "fail").Add(3);
        Series duration = registry.Add(ProbeSeries.CheckDuration).WithLabels("demo", "smoke", string.Empty, "eu-west");
        foreach (double v in new[] { 0.05, 0.07, 0.3, 2 })
        {
            duration.Observe(v);
        }

        await using MetricsServer server = await MetricsServer.StartAsync(registry, new IPEndPoint(IPAddress.Loopback, 0), token: "s3cret");
        var twoScrapes = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int scrapes = 0;
        server.Scraped += () =>
        {
            if (Interlocked.Increment(ref scrapes) == 2)
            {
                twoScrapes.TrySetResult();
            }
        };

        await using PrometheusServer prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{server.Address.Port}", "s3cret");
        await twoScrapes.Task.WaitAsync(TimeSpan.FromSeconds(60));

        var ratio = await prometheus.QueryAsync("sum(probe_check_runs_total{result=\"fail\"}) / sum(probe_check_runs_total)");
        Assert.Equal(0.03, Assert.Single(ratio).Value, 9);
        var up = await prometheus.QueryAsync("up{job=\"probe\"}");
        Assert.Equal(1, Assert.Single(up).Value);
        var median = await prometheus.QueryAsync("histogram_quantile(0.5, probe_check_duration_seconds_bucket)");
        Assert.InRange(Assert.Single(median).Value, 0, 0.1);
    }

    [Fact]
    public async Task Metrics_WithoutTheToken_Answer401AndWithItTheNegotiatedFormat()
    {
        var registry = new MetricRegistry();
        registry.Add(ProbeSeries.Success).WithLabels("demo", "smoke", "local", "api").Set(1);
        await using MetricsServer server = await MetricsServer.StartAsync(registry, new IPEndPoint(IPAddress.Loopback, 0), token: "s3cret");
        using var http = new HttpClient { BaseAddress = server.Address };

        using HttpResponseMessage denied = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Authorization = new("Bearer", "s3cret");
        request.Headers.Accept.ParseAdd("application/openmetrics-text;version=1.0.0");
        using HttpResponseMessage allowed = await http.SendAsync(request);
        Assert.Equal("application/openmetrics-text", allowed.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith("probe_success{suite=\"demo\",scenario=\"smoke\",region=\"local\",target=\"api\"} 1\n# EOF\n", await allowed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
