namespace Probe.Exporter.Prometheus;

/// <summary>
/// One family of Prometheus series as Probe exposes it: name, type, help and label names, and for
/// histograms the default bucket bounds. Every writer (metrics.prom, the live /metrics of a run, the
/// synthetics runner) takes its families from <see cref="ProbeSeries"/>, so a series has one type and
/// one label set wherever it appears.
/// </summary>
/// <param name="Name">The metric name, with the <c>probe_</c> prefix and base units.</param>
/// <param name="Type">Counter, gauge, histogram or summary.</param>
/// <param name="Help">The HELP text.</param>
/// <param name="Labels">The label names, in the order values are given.</param>
public sealed record SeriesSpec(string Name, MetricType Type, string Help, IReadOnlyList<string> Labels)
{
    /// <summary>Histograms: the bucket bounds (seconds for durations); empty for other types.</summary>
    public IReadOnlyList<double> Buckets { get; init; } = [];

    /// <summary>Label values by name, in the family's order; a label not given is empty.</summary>
    /// <exception cref="ArgumentException">A name is not one of the family's labels.</exception>
    public string[] Values(params (string Label, string Value)[] pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        string[] values = new string[Labels.Count];
        Array.Fill(values, string.Empty);
        foreach ((string label, string value) in pairs)
        {
            int i = IndexOf(label);
            if (i < 0)
            {
                throw new ArgumentException($"{Name} has no label '{label}'; its labels: {string.Join(", ", Labels)}", nameof(pairs));
            }

            values[i] = value;
        }

        return values;
    }

    /// <summary>The position of <paramref name="label"/>, or −1.</summary>
    public int IndexOf(string label)
    {
        for (int i = 0; i < Labels.Count; i++)
        {
            if (Labels[i] == label)
            {
                return i;
            }
        }

        return -1;
    }
}
