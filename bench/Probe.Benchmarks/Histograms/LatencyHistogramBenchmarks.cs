using BenchmarkDotNet.Attributes;
using Probe.Engine.Histograms;

namespace Probe.Benchmarks.Histograms;

/// <summary>Recording, percentile query and merge costs of <see cref="LatencyHistogram"/>.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class LatencyHistogramBenchmarks
{
    private const int Batch = 4_096;
    private readonly long[] _values = new long[Batch];
    private LatencyHistogram _histogram = null!;
    private LatencyHistogram _other = null!;
    private LatencyHistogram _target = null!;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < Batch; i++)
        {
            _values[i] = (long)Math.Exp(Math.Log(5e6) + (random.NextDouble() * 4) - 2);
        }

        _histogram = new LatencyHistogram();
        _other = new LatencyHistogram();
        _target = new LatencyHistogram(1);
        for (int i = 0; i < 1_000_000; i++)
        {
            _histogram.Record(_values[i % Batch] + i);
            _other.Record(_values[i % Batch] * 3);
        }
    }

    /// <summary>One thread recording: per value.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public void Record_OneThread()
    {
        LatencyHistogram h = _histogram;
        long[] values = _values;
        for (int i = 0; i < values.Length; i++)
        {
            h.Record(values[i]);
        }
    }

    /// <summary>Two threads recording into the same histogram at once: per value, per thread.</summary>
    [Benchmark(OperationsPerInvoke = Batch * 16)]
    public void Record_TwoThreadsSameHistogram()
    {
        LatencyHistogram h = _histogram;
        long[] values = _values;
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, _ =>
        {
            for (int r = 0; r < 16; r++)
            {
                for (int i = 0; i < values.Length; i++)
                {
                    h.Record(values[i]);
                }
            }
        });
    }

    [Benchmark]
    public long Percentile_P99() => _histogram.GetValueAtPercentile(99);

    [Benchmark]
    public LatencySummary Summarize_AllPercentiles() => _histogram.Summarize();

    [Benchmark]
    public void Merge()
    {
        _target.Reset();
        _target.Add(_other);
    }

    [Benchmark]
    public byte[] Serialize() => HistogramSerializer.Serialize(_other);
}
