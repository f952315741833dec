using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;

namespace Probe.Exporter.Prometheus;

/// <summary>A metric family: its help, type, label names and one series per combination of label values.</summary>
public sealed class MetricFamily
{
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly AppendOnlyList<Series> _order = new();
    private readonly byte[] _header;
    private readonly byte[] _openMetricsHeader;

    internal MetricFamily(string name, string help, MetricType type, string[] labels, IReadOnlyList<double> buckets)
    {
        Name = name;
        Type = type;
        Labels = labels;
        Buckets = buckets.Order().ToArray();
        string typeName = type.ToString().ToLowerInvariant();
        string escapedHelp = TextExposition.EscapeHelp(help);
        _header = Encoding.UTF8.GetBytes($"# HELP {name} {escapedHelp}\n# TYPE {name} {typeName}\n");

        // OpenMetrics names a counter family without its _total suffix; its samples keep it.
        string family = type == MetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal) ? name[..^6] : name;
        _openMetricsHeader = Encoding.UTF8.GetBytes($"# TYPE {family} {typeName}\n# HELP {family} {escapedHelp.Replace("\"", "\\\"", StringComparison.Ordinal)}\n");
    }

    public string Name { get; }

    public MetricType Type { get; }

    public IReadOnlyList<string> Labels { get; }

    internal double[] Buckets { get; }

    /// <summary>The series for these label values (made on first use, then kept).</summary>
    /// <exception cref="ArgumentException">The number of values differs from the family's labels.</exception>
    public Series WithLabels(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != Labels.Count)
        {
            throw new ArgumentException($"{Name} takes {Labels.Count} label values ({string.Join(", ", Labels)}), not {values.Length}", nameof(values));
        }

        string key = string.Join('\u0001', values);
        if (_series.TryGetValue(key, out Series? found))
        {
            return found;
        }

        // Made and listed under one lock, so a series is listed exactly once.
        lock (_series)
        {
            if (_series.TryGetValue(key, out found))
            {
                return found;
            }

            var made = new Series(this, values);
            _order.Add(made);
            _series[key] = made;
            return made;
        }
    }

    /// <summary>
    /// Drops every series whose label values <paramref name="stale"/> picks (say, of a check the suite
    /// no longer has), so a scrape stops showing them; a later <see cref="WithLabels"/> makes a new one.
    /// </summary>
    /// <returns>How many series were dropped.</returns>
    public int Remove(Func<IReadOnlyList<string>, bool> stale)
    {
        ArgumentNullException.ThrowIfNull(stale);
        lock (_series)
        {
            KeyValuePair<string, Series>[] gone = _series.Where(e => stale(e.Value.Values)).ToArray();
            if (gone.Length > 0)
            {
                foreach (KeyValuePair<string, Series> entry in gone)
                {
                    _series.TryRemove(entry);
                }

                HashSet<Series> dropped = gone.Select(e => e.Value).ToHashSet();
                _order.RemoveAll(dropped.Contains);
            }

            return gone.Length;
        }
    }

    internal void WriteTo(Stream output, bool openMetrics)
    {
        output.Write(openMetrics ? _openMetricsHeader : _header);
        foreach (Series s in _order.Items)
        {
            s.WriteTo(output);
        }
    }

    /// <summary>Writes a number the way Prometheus reads it, without allocating.</summary>
    internal static void WriteNumber(Stream output, double value)
    {
        Span<byte> buffer = stackalloc byte[32];
        if (double.IsPositiveInfinity(value))
        {
            output.Write("+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            output.Write("-Inf"u8);
        }
        else if (double.IsNaN(value))
        {
            output.Write("NaN"u8);
        }
        else if (value == Math.Floor(value) && Math.Abs(value) < 1e15 && Utf8Formatter.TryFormat((long)value, buffer, out int whole))
        {
            output.Write(buffer[..whole]);
        }
        else if (Utf8Formatter.TryFormat(value, buffer, out int written))
        {
            output.Write(buffer[..written]);
        }
    }
}
