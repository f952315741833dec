using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Probe.Exporter.Prometheus;
using Oracle = Prometheus;

namespace Probe.Exporter.Tests.Prometheus;

/// <summary>
/// prometheus-net 8.2.1 as a test oracle: every family of the catalogue, filled alike in Probe's
/// registry and in prometheus-net's, must render to the same samples (names, label sets, values).
/// </summary>
public partial class PrometheusNetOracleTests
{
    [Fact]
    public async Task Render_EveryCatalogueFamilyFilledAlike_ParsesToTheSamplesPrometheusNetWrites()
    {
        var ours = new MetricRegistry();
        Oracle.CollectorRegistry theirs = Oracle.Metrics.NewCustomRegistry();
        Oracle.IMetricFactory factory = Oracle.Metrics.WithCustomRegistry(theirs);
        int seed = 0;
        foreach (SeriesSpec spec in ProbeSeries.All.Where(s => s.Type != MetricType.Summary))
        {
            MetricFamily family = ours.Add(spec);
            string[] labels = [.. spec.Labels];
            for (int series = 0; series < 2; series++)
            {
                // Awkward values too: quotes, backslashes, line feeds, non-ASCII and an empty label.
                string[] values = labels.Select((l, i) => (series, i) switch
                {
                    (0, 0) => "say \"hi\" \\ there",
                    (1, 0) => "ünïcødé ✓\nline",
                    (1, 1) => string.Empty,
                    _ => $"{l}-{series}",
                }).ToArray();
                double value = ++seed * 1.25;
                switch (spec.Type)
                {
                    case MetricType.Counter:
                        family.WithLabels(values).Add(value);
                        factory.CreateCounter(spec.Name, spec.Help, labels).WithLabels(values).Inc(value);
                        break;
                    case MetricType.Gauge:
                        family.WithLabels(values).Set(-value);
                        factory.CreateGauge(spec.Name, spec.Help, labels).WithLabels(values).Set(-value);
                        break;
                    default:
                        Oracle.Histogram histogram = factory.CreateHistogram(spec.Name, spec.Help, new Oracle.HistogramConfiguration { LabelNames = labels, Buckets = [.. spec.Buckets] });
                        foreach (double observation in new[] { 0.0004, 0.003, 0.07 * series, 0.9, 7, 60 })
                        {
                            family.WithLabels(values).Observe(observation);
                            histogram.WithLabels(values).Observe(observation);
                        }

                        break;
                }
            }
        }

        using var theirText = new MemoryStream();
        await theirs.CollectAndExportAsTextAsync(theirText);

        Dictionary<string, double> expected = Parse(Encoding.UTF8.GetString(theirText.ToArray()));
        Dictionary<string, double> actual = Parse(ours.ToText());
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        Assert.All(expected, e => Assert.Equal(e.Value, actual[e.Key], 9));
    }

    /// <summary>Samples by "name{sorted labels}" from the text format (comments skipped, escapes undone).</summary>
    private static Dictionary<string, double> Parse(string exposition)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in exposition.Split('\n').Where(l => l.Length > 0 && l[0] != '#'))
        {
            Match m = SampleLine().Match(line);
            Assert.True(m.Success, $"not a sample line: {line}");
            var labels = LabelPair().Matches(m.Groups["labels"].Value)
                .Select(p => $"{p.Groups["name"].Value}={Regex.Unescape(p.Groups["value"].Value.Replace("\\n", "\n", StringComparison.Ordinal))}")
                .Order(StringComparer.Ordinal);
            string value = m.Groups["value"].Value;
            samples.Add($"{m.Groups["name"].Value}{{{string.Join(",", labels)}}}", value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                _ => double.Parse(value, CultureInfo.InvariantCulture),
            });
        }

        return samples;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})? (?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
