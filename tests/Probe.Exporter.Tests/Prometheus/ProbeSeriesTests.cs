using System.Text.RegularExpressions;
using Probe.Exporter.Prometheus;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Prometheus;

/// <summary>The catalogue, the docs and the Grafana dashboard name the same series with the same types and labels.</summary>
public partial class ProbeSeriesTests
{
    [Fact]
    public void Catalogue_AndTheMetricsPage_ListTheSameFamiliesTypesAndLabels()
    {
        string page = File.ReadAllText(Path.Combine(Repository.Root, "docs", "metrics.md"));
        string[] documented = Row().Matches(page).Select(m => $"{m.Groups["name"].Value} {m.Groups["type"].Value} {m.Groups["labels"].Value.Replace("—", string.Empty, StringComparison.Ordinal).Trim()}").ToArray();

        string[] declared = ProbeSeries.All.Select(s => $"{s.Name} {s.Type.ToString().ToLowerInvariant()} {string.Join(", ", s.Labels)}").ToArray();

        Assert.Equal(declared, documented);
    }

    [Fact]
    public void EverySeriesTheDocsAndTheDashboardName_IsInTheCatalogue()
    {
        string[] sources = [.. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md"), Path.Combine(Repository.Root, "README.md"), Path.Combine(Repository.Root, "deploy", "grafana", "probe-dashboard.json")];
        HashSet<string> catalogue = ProbeSeries.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        var unknown = sources
            .SelectMany(file => SeriesName().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Name: Family(m.Value))))
            .Where(n => !catalogue.Contains(n.Name))
            .Select(n => $"{n.File}: {n.Name}")
            .Distinct()
            .ToArray();

        Assert.Empty(unknown);
    }

    [Fact]
    public void EverySeriesTheGeneratedRulesRead_IsInTheCatalogue()
    {
        // The runner group reads the runners' own series: a renamed one would leave its alert silent for ever.
        string rules = Probe.Exporter.Rules.RulesWriter.Render("s", [], ["a"], new Probe.Exporter.Rules.RegionQuorum(["r1", "r2"], 2), "s.json");
        HashSet<string> catalogue = ProbeSeries.All.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);

        string[] read = SeriesName().Matches(rules).Select(m => Family(m.Value)).Distinct().ToArray();

        Assert.Contains("probe_synthetics_spool_writable", read);
        Assert.Contains("probe_runner_up", read);
        Assert.DoesNotContain(read, n => !catalogue.Contains(n));
    }

    [Fact]
    public void Catalogue_NamesAreValidAndUnique_CountersEndInTotal_HistogramsHaveBuckets()
    {
        Assert.Equal(ProbeSeries.All.Count, ProbeSeries.All.Select(s => s.Name).Distinct().Count());
        Assert.All(ProbeSeries.All, s =>
        {
            Assert.Matches("^probe_[a-z_]+$", s.Name);
            Assert.Equal(s.Type == MetricType.Counter, s.Name.EndsWith("_total", StringComparison.Ordinal));
            Assert.Equal(s.Type == MetricType.Histogram, s.Buckets.Count > 0);
            Assert.Equal(s.Labels.Count, s.Labels.Distinct().Count());
        });
    }

    /// <summary>A sample's name without the suffixes histograms and summaries add.</summary>
    private static string Family(string sample)
    {
        foreach (string suffix in (string[])["_bucket", "_sum", "_count"])
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && ProbeSeries.All.Any(s => s.Name == sample[..^suffix.Length] && s.Type is MetricType.Histogram or MetricType.Summary))
            {
                return sample[..^suffix.Length];
            }
        }

        return sample;
    }

    [GeneratedRegex(@"^\| `(?<name>probe_[a-z_]+)` \| (?<type>[a-z]+) \| (?<labels>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex Row();

    // Names a reader or a query would use: probe_ and lower case, not a recording rule (probe:…) nor a table or log field.
    [GeneratedRegex(@"(?<![\w:/.-])probe_(?!runs\b|shards\b|shard_seconds\b|results\b|minutes\b|schema\b|test\b|data\b)[a-z_]+[a-z]")]
    private static partial Regex SeriesName();
}
