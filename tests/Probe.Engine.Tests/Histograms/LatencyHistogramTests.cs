using Probe.Engine.Histograms;

namespace Probe.Engine.Tests.Histograms;

public class LatencyHistogramTests
{
    private const int Samples = 1_000_000;

    private static readonly string[] Names = ["uniform", "lognormal", "exponential", "bimodal", "wide"];

    public static TheoryData<string> Distributions => new(Names);

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Percentiles_MillionSamples_WithinOnePercentOfExactSortedAnswer(string distribution)
    {
        long[] values = Generate(distribution, Samples, seed: 42);
        var histogram = new LatencyHistogram();
        foreach (long v in values)
        {
            histogram.Record(v);
        }

        Array.Sort(values);
        LatencySummary summary = histogram.Summarize();
        Assert.Equal(Samples, summary.Count);
        foreach (double p in new[] { 50, 75, 90, 95, 99, 99.9 })
        {
            long exact = values[(int)Math.Ceiling(p / 100 * values.Length) - 1];
            Assert.True(summary.TryGetPercentile(p, out long fromSummary));
            AssertWithinOnePercent(exact, fromSummary, $"{distribution} p{p}");
            AssertWithinOnePercent(exact, histogram.GetValueAtPercentile(p), $"{distribution} p{p} (single query)");
        }

        AssertWithinOnePercent(values[^1], summary.MaxNanoseconds, $"{distribution} max");
        AssertWithinOnePercent(values[0], summary.MinNanoseconds, $"{distribution} min");
        AssertWithinOnePercent((long)values.Average(v => (double)v), summary.MeanNanoseconds, $"{distribution} mean");
    }

    [Theory]
    [InlineData(1_000L)]
    [InlineData(1_003L)]
    [InlineData(12_345L)]
    [InlineData(999_999L)]
    [InlineData(1_000_000_007L)]
    [InlineData(3_600_000_000_000L)]
    public void Record_SingleValueFromOneMicrosecondToOneHour_ReportsItWithinOnePercent(long nanoseconds)
    {
        var histogram = new LatencyHistogram(1);
        histogram.Record(nanoseconds);
        AssertWithinOnePercent(nanoseconds, histogram.GetValueAtPercentile(50), "p50");
    }

    [Fact]
    public void Record_ValuePastTheRange_CountsItInTheLastBucket()
    {
        var histogram = new LatencyHistogram(1);
        histogram.Record(long.MaxValue);
        histogram.Record(-5);
        Assert.Equal(2, histogram.TotalCount);
        Assert.True(histogram.GetValueAtPercentile(100) >= LatencyHistogram.MaxTrackableNanoseconds * 0.99);
        Assert.True(histogram.GetValueAtPercentile(0) < 8);
    }

    [Fact]
    public void Add_EightHistograms_EqualsTheHistogramOfTheUnion()
    {
        var union = new LatencyHistogram(1);
        var merged = new LatencyHistogram(1);
        for (int part = 0; part < 8; part++)
        {
            var histogram = new LatencyHistogram();
            foreach (long v in Generate(Names[part % Names.Length], 50_000, seed: part))
            {
                histogram.Record(v);
                union.Record(v);
            }

            merged.Add(histogram);
        }

        Assert.Equal(HistogramSerializer.Serialize(union), HistogramSerializer.Serialize(merged));
        Assert.Equal(union.Summarize(), merged.Summarize());
        Assert.Equal(400_000, merged.TotalCount);
    }

    [Fact]
    public void Serialize_RoundTrip_GivesExactlyTheSameCounts()
    {
        var histogram = new LatencyHistogram();
        foreach (long v in Generate("bimodal", 200_000, seed: 7))
        {
            histogram.Record(v);
        }

        byte[] bytes = HistogramSerializer.Serialize(histogram);
        LatencyHistogram back = HistogramSerializer.Deserialize(bytes);

        Assert.Equal(bytes, HistogramSerializer.Serialize(back));
        Assert.Equal(histogram.Summarize(), back.Summarize());
        Assert.True(bytes.Length < 8_000, $"compact form is {bytes.Length} bytes");
    }

    [Fact]
    public void Serialize_EmptyHistogram_RoundTripsToEmpty()
    {
        byte[] bytes = HistogramSerializer.Serialize(new LatencyHistogram());
        Assert.Equal(0, HistogramSerializer.Deserialize(bytes).TotalCount);
        Assert.Equal(LatencySummary.Empty, HistogramSerializer.Deserialize(bytes).Summarize());
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "Not a serialized Probe histogram (the magic 'PH' is missing).")]
    [InlineData(new byte[] { (byte)'P', (byte)'H', 9, 3, 8 }, "Unsupported histogram layout: version 9, unit shift 3, sub-bucket bits 8.")]
    [InlineData(new byte[] { (byte)'P', (byte)'H', 1, 3, 8, 0x80 }, "The histogram data ends inside a number.")]
    [InlineData(new byte[] { (byte)'P', (byte)'H', 1, 3, 8, 10, 0 }, "The histogram has 10 buckets; this build uses 4224.")]
    public void Deserialize_BrokenData_ThrowsFormatExceptionSayingWhy(byte[] data, string message)
    {
        var e = Assert.Throws<FormatException>(() => HistogramSerializer.Deserialize(data));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Record_FromTwoThreadsAtOnce_LosesNoCount()
    {
        var histogram = new LatencyHistogram();
        using var go = new Barrier(2);
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
        {
            go.SignalAndWait();
            for (int i = 0; i < 500_000; i++)
            {
                histogram.Record(1_000 + (i % 5_000) * 1_000L);
            }
        });

        Assert.Equal(1_000_000, histogram.TotalCount);
    }

    private static void AssertWithinOnePercent(long exact, long actual, string what)
    {
        double error = Math.Abs(actual - exact) / (double)Math.Max(exact, 1);
        Assert.True(error <= 0.01, $"{what}: exact {exact} ns, histogram {actual} ns, error {error:P3}");
    }

    internal static long[] Generate(string distribution, int count, int seed)
    {
        var random = new Random(seed);
        var values = new long[count];
        for (int i = 0; i < count; i++)
        {
            double ns = distribution switch
            {
                "uniform" => 1_000 + (random.NextDouble() * 999_999_000),
                "lognormal" => Math.Exp(Math.Log(5e6) + (0.8 * Gaussian(random))),
                "exponential" => 1_000 - (Math.Log(1 - random.NextDouble()) * 20e6),
                "bimodal" => random.NextDouble() < 0.9 ? 200_000 + (random.NextDouble() * 100_000) : 2e9 + (random.NextDouble() * 5e8),
                _ => Math.Pow(10, 3 + (random.NextDouble() * 9.5)),
            };
            values[i] = (long)ns;
        }

        return values;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
