using System.Collections.Concurrent;
using System.Text;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// The live metrics of a process (the synthetics runner's SLIs): metric objects are made only here,
/// each family once, and written on every scrape in the Prometheus text format 0.0.4 or OpenMetrics
/// 1.0. Each series keeps its name-and-labels text pre-encoded, so a scrape writes bytes without
/// allocating per series.
/// </summary>
public sealed class MetricRegistry
{
    private readonly ConcurrentDictionary<string, MetricFamily> _families = new(StringComparer.Ordinal);
    private readonly AppendOnlyList<MetricFamily> _order = new();

    /// <summary>The family of <paramref name="spec"/> (from <see cref="ProbeSeries"/>), made once.</summary>
    /// <exception cref="ArgumentException">The family exists already, its name or labels are not valid, or it is a summary (which a live registry does not keep).</exception>
    public MetricFamily Add(SeriesSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Type == MetricType.Summary)
        {
            throw new ArgumentException($"{spec.Name} is a summary: a live registry keeps counters, gauges and histograms", nameof(spec));
        }

        return Add(spec.Name, spec.Help, spec.Type, [.. spec.Labels], spec.Buckets);
    }

    /// <summary>A counter family outside the catalogue (tests and benchmarks).</summary>
    internal MetricFamily Counter(string name, string help, params string[] labels) => Add(name, help, MetricType.Counter, labels, []);

    /// <summary>A gauge family outside the catalogue (tests and benchmarks).</summary>
    internal MetricFamily Gauge(string name, string help, params string[] labels) => Add(name, help, MetricType.Gauge, labels, []);

    /// <summary>A histogram family outside the catalogue (tests and benchmarks).</summary>
    internal MetricFamily Histogram(string name, string help, IReadOnlyList<double> buckets, params string[] labels) => Add(name, help, MetricType.Histogram, labels, buckets);

    /// <summary>Writes every family; <paramref name="openMetrics"/> chooses OpenMetrics 1.0 over the text format 0.0.4.</summary>
    public void WriteTo(Stream output, bool openMetrics)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (MetricFamily family in _order.Items)
        {
            family.WriteTo(output, openMetrics);
        }

        if (openMetrics)
        {
            output.Write("# EOF\n"u8);
        }
    }

    /// <summary>The whole exposition as text (for tests and files).</summary>
    public string ToText(bool openMetrics = false)
    {
        using var buffer = new MemoryStream();
        WriteTo(buffer, openMetrics);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private MetricFamily Add(string name, string help, MetricType type, string[] labels, IReadOnlyList<double> buckets)
    {
        if (!IsName(name) || labels.Any(l => !IsName(l) || l.Contains(':', StringComparison.Ordinal) || l.StartsWith("__", StringComparison.Ordinal)))
        {
            throw new ArgumentException($"'{name}' with labels ({string.Join(", ", labels)}) is not a valid Prometheus metric name and label set", nameof(name));
        }

        var family = new MetricFamily(name, help, type, labels, buckets);
        if (!_families.TryAdd(name, family))
        {
            throw new ArgumentException($"metric family '{name}' exists already; get it once and keep it", nameof(name));
        }

        _order.Add(family);
        return family;
    }

    private static bool IsName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':');
}

public enum MetricType
{
    Counter,
    Gauge,
    Histogram,

    /// <summary>Quantiles computed by Probe (only in metrics.prom, never in a live registry).</summary>
    Summary,
}
