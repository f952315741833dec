using System.Text;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// One series of a family: a counter or gauge value, or a histogram's buckets, sum and count.
/// Updates are lock-free; its sample prefixes are encoded once, when the series is made.
/// </summary>
public sealed class Series
{
    private readonly MetricFamily _family;
    private readonly byte[] _sample;
    private readonly byte[][] _bucketSamples = [];
    private readonly byte[] _sumSample = [];
    private readonly byte[] _countSample = [];
    private readonly long[] _bucketCounts = [];
    private long _valueBits;
    private long _count;

    internal Series(MetricFamily family, string[] values)
    {
        _family = family;
        Values = values;
        string labels = Labels(family.Labels, values, null);
        _sample = Encoding.UTF8.GetBytes($"{family.Name}{labels} ");
        if (family.Type == MetricType.Histogram)
        {
            _bucketCounts = new long[family.Buckets.Length];
            _bucketSamples = family.Buckets.Append(double.PositiveInfinity)
                .Select(b => Encoding.UTF8.GetBytes($"{family.Name}_bucket{Labels(family.Labels, values, TextExposition.Format(b))} "))
                .ToArray();
            _sumSample = Encoding.UTF8.GetBytes($"{family.Name}_sum{labels} ");
            _countSample = Encoding.UTF8.GetBytes($"{family.Name}_count{labels} ");
        }
    }

    /// <summary>The series' label values, in the order of the family's labels.</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The counter's or gauge's value.</summary>
    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _valueBits));

    /// <summary>Adds to a counter (or gauge); counters only go up.</summary>
    public void Add(double amount)
    {
        if (_family.Type == MetricType.Counter && amount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "A counter only goes up.");
        }

        long seen, next;
        do
        {
            seen = Interlocked.Read(ref _valueBits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + amount);
        }
        while (Interlocked.CompareExchange(ref _valueBits, next, seen) != seen);
    }

    public void Increment() => Add(1);

    /// <summary>Sets a gauge.</summary>
    public void Set(double value)
    {
        if (_family.Type != MetricType.Gauge)
        {
            throw new InvalidOperationException($"{_family.Name} is a {_family.Type.ToString().ToLowerInvariant()}; only gauges are set");
        }

        Interlocked.Exchange(ref _valueBits, BitConverter.DoubleToInt64Bits(value));
    }

    /// <summary>Records one observation in a histogram.</summary>
    public void Observe(double value)
    {
        double[] bounds = _family.Buckets;
        int i = Array.BinarySearch(bounds, value);
        i = i >= 0 ? i : ~i;
        if (i < bounds.Length)
        {
            Interlocked.Increment(ref _bucketCounts[i]);
        }

        Interlocked.Increment(ref _count);
        Add(value);
    }

    internal void WriteTo(Stream output)
    {
        if (_family.Type != MetricType.Histogram)
        {
            Line(output, _sample, Value);
            return;
        }

        long cumulative = 0;
        for (int b = 0; b < _bucketCounts.Length; b++)
        {
            cumulative += Interlocked.Read(ref _bucketCounts[b]);
            Line(output, _bucketSamples[b], cumulative);
        }

        long count = Interlocked.Read(ref _count);
        Line(output, _bucketSamples[^1], count);
        Line(output, _sumSample, Value);
        Line(output, _countSample, count);
    }

    private static void Line(Stream output, byte[] prefix, double value)
    {
        output.Write(prefix);
        MetricFamily.WriteNumber(output, value);
        output.WriteByte((byte)'\n');
    }

    private static string Labels(IReadOnlyList<string> names, string[] values, string? le)
    {
        if (names.Count == 0 && le is null)
        {
            return string.Empty;
        }

        var sb = new StringBuilder("{");
        for (int i = 0; i < names.Count; i++)
        {
            sb.Append(i == 0 ? string.Empty : ",").Append(names[i]).Append("=\"").Append(TextExposition.EscapeLabelValue(values[i])).Append('"');
        }

        if (le is not null)
        {
            sb.Append(names.Count == 0 ? string.Empty : ",").Append("le=\"").Append(le).Append('"');
        }

        return sb.Append('}').ToString();
    }
}
