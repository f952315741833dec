using System.Globalization;
using Probe.Exporter.Prometheus;

namespace Probe.Exporter.Tests.Prometheus;

public class MetricRegistryTests
{
    private static MetricRegistry Sample()
    {
        var registry = new MetricRegistry();
        MetricFamily runs = registry.Counter("probe_check_runs_total", "Check runs by result.", "scenario", "result");
        runs.WithLabels("smoke", "ok").Add(41);
        runs.WithLabels("smoke", "ok").Increment();
        runs.WithLabels("say \"hi\"\n", "fail").Add(0.5);
        registry.Gauge("probe_success", "1 when the last run succeeded.", "scenario", "region").WithLabels("smoke", "eu-west").Set(1);
        Series duration = registry.Histogram("probe_check_duration_seconds", "Check latency.", [0.1, 0.5, 1], "scenario").WithLabels("smoke");
        foreach (double v in new[] { 0.05, 0.2, 0.7, 3 })
        {
            duration.Observe(v);
        }

        return registry;
    }

    private const string Text =
        "# HELP probe_check_runs_total Check runs by result.\n# TYPE probe_check_runs_total counter\n" +
        "probe_check_runs_total{scenario=\"smoke\",result=\"ok\"} 42\n" +
        "probe_check_runs_total{scenario=\"say \\\"hi\\\"\\n\",result=\"fail\"} 0.5\n" +
        "# HELP probe_success 1 when the last run succeeded.\n# TYPE probe_success gauge\n" +
        "probe_success{scenario=\"smoke\",region=\"eu-west\"} 1\n" +
        "# HELP probe_check_duration_seconds Check latency.\n# TYPE probe_check_duration_seconds histogram\n" +
        "probe_check_duration_seconds_bucket{scenario=\"smoke\",le=\"0.1\"} 1\n" +
        "probe_check_duration_seconds_bucket{scenario=\"smoke\",le=\"0.5\"} 2\n" +
        "probe_check_duration_seconds_bucket{scenario=\"smoke\",le=\"1\"} 3\n" +
        "probe_check_duration_seconds_bucket{scenario=\"smoke\",le=\"+Inf\"} 4\n" +
        "probe_check_duration_seconds_sum{scenario=\"smoke\"} 3.95\n" +
        "probe_check_duration_seconds_count{scenario=\"smoke\"} 4\n";

    [Theory]
    [InlineData("")]
    [InlineData("ru-RU")]
    public void ToText_TextFormat_IsExactInAnyCulture(string culture)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            Assert.Equal(Text, Sample().ToText());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void ToText_OpenMetrics_NamesCounterFamiliesWithoutTotalAndEndsWithEof()
    {
        string text = Sample().ToText(openMetrics: true);

        Assert.StartsWith("# TYPE probe_check_runs counter\n# HELP probe_check_runs Check runs by result.\nprobe_check_runs_total{scenario=\"smoke\",result=\"ok\"} 42\n", text, StringComparison.Ordinal);
        Assert.EndsWith("probe_check_duration_seconds_count{scenario=\"smoke\"} 4\n# EOF\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_RefusesMistakes()
    {
        var registry = new MetricRegistry();
        MetricFamily runs = registry.Counter("probe_runs_total", "Runs.", "scenario");
        Assert.Throws<ArgumentException>(() => registry.Gauge("probe_runs_total", "Again."));
        Assert.Throws<ArgumentException>(() => registry.Gauge("9bad", "Bad name."));
        Assert.Throws<ArgumentException>(() => registry.Gauge("probe_x", "Bad label.", "__reserved"));
        Assert.Throws<ArgumentException>(() => runs.WithLabels("a", "b"));
        Assert.Throws<ArgumentOutOfRangeException>(() => runs.WithLabels("a").Add(-1));
        Assert.Throws<InvalidOperationException>(() => runs.WithLabels("a").Set(3));
        Assert.Same(runs.WithLabels("a"), runs.WithLabels("a"));
    }

    [Fact]
    public void Remove_DropsPickedSeriesFromTheScrape_AndAFreshOneStartsAtZero()
    {
        MetricRegistry registry = Sample();
        MetricFamily runs = registry.Counter("probe_gone_total", "Runs of a check about to be removed.", "scenario", "result");
        runs.WithLabels("old", "ok").Add(5);
        runs.WithLabels("old", "fail").Add(2);
        runs.WithLabels("kept", "ok").Add(7);

        Assert.Equal(2, runs.Remove(values => values[0] == "old"));
        Assert.Equal(0, runs.Remove(values => values[0] == "old"));
        string text = registry.ToText();
        Assert.DoesNotContain("scenario=\"old\"", text, StringComparison.Ordinal);
        Assert.Contains("probe_gone_total{scenario=\"kept\",result=\"ok\"} 7\n", text, StringComparison.Ordinal);
        Assert.StartsWith(Text, text, StringComparison.Ordinal);

        runs.WithLabels("old", "ok").Increment();
        Assert.Contains("probe_gone_total{scenario=\"old\",result=\"ok\"} 1\n", registry.ToText(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("text/plain", false)]
    [InlineData("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5", true)]
    public void Negotiate_ByAcceptHeader(string? accept, bool openMetrics) =>
        Assert.Equal(openMetrics, MetricsEndpoint.Negotiate(accept).OpenMetrics);

    [Theory]
    [InlineData(null, null, true)]
    [InlineData(null, "s3cret", false)]
    [InlineData("Bearer wrong", "s3cret", false)]
    [InlineData("Basic s3cret", "s3cret", false)]
    [InlineData("Bearer s3cret", "s3cret", true)]
    public void Authorized_WithBearerToken(string? header, string? token, bool allowed) =>
        Assert.Equal(allowed, MetricsEndpoint.Authorized(header, token));
}
