using BenchmarkDotNet.Attributes;
using Probe.Exporter.Prometheus;

namespace Probe.Benchmarks.Exporter;

/// <summary>A scrape of 10,000 series (9,000 counter and gauge series, 1,000 histogram series' worth of lines aside) into a reused buffer.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class ExpositionBenchmarks
{
    private readonly MemoryStream _buffer = new(4 << 20);
    private MetricRegistry _registry = null!;

    [GlobalSetup]
    public void Setup()
    {
        _registry = new MetricRegistry();
        MetricFamily runs = _registry.Counter("probe_check_runs_total", "Check runs by result.", "suite", "scenario", "step", "region", "result");
        MetricFamily up = _registry.Gauge("probe_success", "1 when the last run succeeded.", "suite", "scenario", "region");
        for (int s = 0; s < 1_000; s++)
        {
            for (int r = 0; r < 3; r++)
            {
                runs.WithLabels("demo", $"scenario-{s}", "step", $"region-{r}", "ok").Add(s * 7);
                runs.WithLabels("demo", $"scenario-{s}", "step", $"region-{r}", "fail").Add(s);
                up.WithLabels("demo", $"scenario-{s}", $"region-{r}").Set(1);
            }

            _registry.Gauge($"probe_extra_{s}", "Filler to reach 10,000 series.").WithLabels().Set(s);
        }
    }

    /// <summary>10,000 series: 6,000 counters, 3,000 + 1,000 gauges.</summary>
    [Benchmark]
    public long Scrape_TenThousandSeries_TextFormat()
    {
        _buffer.SetLength(0);
        _registry.WriteTo(_buffer, openMetrics: false);
        return _buffer.Length;
    }

    [Benchmark]
    public long Scrape_TenThousandSeries_OpenMetrics()
    {
        _buffer.SetLength(0);
        _registry.WriteTo(_buffer, openMetrics: true);
        return _buffer.Length;
    }
}
