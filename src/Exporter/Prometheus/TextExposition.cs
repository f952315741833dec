using System.Globalization;
using System.Text;
using Probe.Engine.Histograms;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> once per family,
/// then samples <c>name{label="value"} value</c>. Label values escape backslash, double quote and
/// line feed; HELP text escapes backslash and line feed (as the format's ABNF requires); numbers
/// are written in the invariant culture, with <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> spelled as Prometheus reads them.
/// Families come from <see cref="ProbeSeries"/>: a sample's labels are the family's, in its order.
/// </summary>
public sealed class TextExposition
{
    /// <summary>The content type of this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly (string Label, Func<LatencySummary, long> Read)[] Quantiles =
    [
        ("0.5", s => s.P50Nanoseconds), ("0.9", s => s.P90Nanoseconds), ("0.95", s => s.P95Nanoseconds), ("0.99", s => s.P99Nanoseconds),
    ];

    private readonly StringBuilder _out = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts the family of <paramref name="spec"/>; a family may be started only once.</summary>
    /// <exception cref="InvalidOperationException">The family was written already.</exception>
    public TextExposition Family(SeriesSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Family(spec.Name, spec.Type.ToString().ToLowerInvariant(), spec.Help);
    }

    /// <summary>One sample of a counter or gauge family, with the family's label values in its order.</summary>
    public TextExposition Sample(SeriesSpec spec, string[] values, double value)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return Sample(spec.Name, Pairs(spec, values), value);
    }

    /// <summary>
    /// A histogram's samples from Probe's log-linear histogram: a bucket of it counts under the first
    /// bound its midpoint does not exceed, so the cumulative counts are exact to the histogram's precision.
    /// </summary>
    public TextExposition Histogram(SeriesSpec spec, string[] values, LatencyHistogram histogram, LatencySummary summary)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(histogram);
        (string, string)[] labels = Pairs(spec, values);
        var buckets = histogram.Buckets();
        long cumulative = 0;
        int next = 0;
        foreach (double bound in spec.Buckets)
        {
            while (next < buckets.Count && (buckets[next].LowNanoseconds + buckets[next].HighNanoseconds) / 2e9 <= bound)
            {
                cumulative += buckets[next++].Count;
            }

            Sample(spec.Name + "_bucket", [.. labels, ("le", Format(bound))], cumulative);
        }

        Sample(spec.Name + "_bucket", [.. labels, ("le", "+Inf")], summary.Count);
        Sample(spec.Name + "_sum", labels, summary.MeanNanoseconds / 1e9 * summary.Count);
        return Sample(spec.Name + "_count", labels, summary.Count);
    }

    /// <summary>A summary's samples: quantiles 0.5, 0.9, 0.95 and 0.99 in seconds, the sum and the count.</summary>
    public TextExposition Summary(SeriesSpec spec, string[] values, LatencySummary summary)
    {
        ArgumentNullException.ThrowIfNull(spec);
        (string, string)[] labels = Pairs(spec, values);
        foreach ((string quantile, Func<LatencySummary, long> read) in Quantiles)
        {
            Sample(spec.Name, [.. labels, ("quantile", quantile)], read(summary) / 1e9);
        }

        Sample(spec.Name + "_sum", labels, summary.MeanNanoseconds / 1e9 * summary.Count);
        return Sample(spec.Name + "_count", labels, summary.Count);
    }

    public override string ToString() => _out.ToString();

    /// <summary>A number as Prometheus reads it.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>A label value as the format writes it between double quotes: backslash, double quote and line feed escaped.</summary>
    public static string EscapeLabelValue(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>HELP text as the format writes it: only backslash and line feed are escaped; a double quote stays as it is.</summary>
    public static string EscapeHelp(string help)
    {
        ArgumentNullException.ThrowIfNull(help);
        return help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }

    /// <summary>Starts a family by name (tests of the format itself; product code uses <see cref="Family(SeriesSpec)"/>).</summary>
    internal TextExposition Family(string name, string type, string help)
    {
        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family '{name}' was already written; each family appears once");
        }

        _out.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _out.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>Writes one sample; label pairs are (name, value).</summary>
    internal TextExposition Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        _out.Append(name);
        if (labels.Length > 0)
        {
            _out.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                _out.Append(i > 0 ? "," : string.Empty).Append(labels[i].Name).Append("=\"").Append(EscapeLabelValue(labels[i].Value)).Append('"');
            }

            _out.Append('}');
        }

        _out.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    private static (string, string)[] Pairs(SeriesSpec spec, string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != spec.Labels.Count)
        {
            throw new ArgumentException($"{spec.Name} takes {spec.Labels.Count} label values ({string.Join(", ", spec.Labels)}), not {values.Length}", nameof(values));
        }

        var pairs = new (string, string)[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            pairs[i] = (spec.Labels[i], values[i]);
        }

        return pairs;
    }
}
