using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;

namespace Probe.Runner.Publishing;

/// <summary>
/// <c>probe run --otlp URL</c>: sends the run's gate verdict, every threshold's observed value and the
/// run's figures to an OpenTelemetry collector over OTLP (HTTP/protobuf, <c>URL/v1/metrics</c>) at the
/// end of the run. Names mirror the Prometheus series: <c>probe.gate.verdict</c>,
/// <c>probe.threshold.observed</c>, <c>probe.threshold.passed</c>, <c>probe.run.iterations</c>,
/// <c>probe.run.latency</c> (seconds, by quantile).
/// </summary>
internal static class OtlpPublisher
{
    /// <summary>Exports; null when the collector took it, else why not.</summary>
    public static string? Publish(Uri collector, RunInfo info, RunResult result, TimeSpan timeout)
    {
        string meterName = $"Probe.Run.{Guid.NewGuid():n}";
        var meter = new Meter(meterName);
        var gate = new KeyValuePair<string, object?>("gate", info.Suite);
        meter.CreateObservableGauge("probe.gate.verdict", () => new Measurement<int>(result.Verdict == Verdict.Passed ? 1 : 0, gate, new("verdict", result.Verdict.ToString().ToLowerInvariant())), description: "1 when the run passed its gate, 0 when it failed or was invalid.");
        meter.CreateObservableGauge("probe.threshold.observed", () => result.Thresholds.Select(t => new Measurement<double>(t.Observed, Threshold(info, t))), description: "Each threshold's observed value, in its metric's base unit (seconds are nanoseconds / 1e9 for latency).");
        meter.CreateObservableGauge("probe.threshold.passed", () => result.Thresholds.Select(t => new Measurement<int>(t.Passed ? 1 : 0, Threshold(info, t))), description: "1 when the threshold held.");
        meter.CreateObservableGauge("probe.run.iterations", () => result.Scenarios.SelectMany(s => new[]
        {
            new Measurement<long>(s.Iterations.Ok, Scenario(info, s, ("result", "ok"))),
            new Measurement<long>(s.Iterations.Fail, Scenario(info, s, ("result", "fail"))),
        }), description: "Iterations of the run by outcome.");
        meter.CreateObservableGauge("probe.run.latency", () => result.Scenarios.SelectMany(s => new[]
        {
            new Measurement<double>(s.Iterations.Latency.P50Nanoseconds / 1e9, Scenario(info, s, ("quantile", "0.5"))),
            new Measurement<double>(s.Iterations.Latency.P95Nanoseconds / 1e9, Scenario(info, s, ("quantile", "0.95"))),
            new Measurement<double>(s.Iterations.Latency.P99Nanoseconds / 1e9, Scenario(info, s, ("quantile", "0.99"))),
        }), unit: "s", description: "Latency of the run's iterations, from their intended start.");

        using MeterProvider provider = Sdk.CreateMeterProviderBuilder()
            .ConfigureResource(r => r.AddService("probe", serviceVersion: info.ProbeVersion).AddAttributes([new("probe.suite", info.Suite), new("probe.region", info.Region), new("host.name", info.Host)]))
            .AddMeter(meterName)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Endpoint = new Uri(collector, "v1/metrics");
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.TimeoutMilliseconds = (int)timeout.TotalMilliseconds;
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = int.MaxValue; // one export, on the flush below
            })
            .Build();
        bool sent = provider.ForceFlush((int)timeout.TotalMilliseconds);
        meter.Dispose(); // before the provider's shutdown, which would otherwise collect and send the gauges again
        return sent
            ? null
            : $"the OpenTelemetry collector at {collector} did not take the run's metrics within {timeout.TotalSeconds:0} s (is it listening for OTLP over HTTP there?)";
    }

    private static IEnumerable<KeyValuePair<string, object?>> Threshold(RunInfo info, ThresholdResult t) =>
        [new("suite", info.Suite), new("scenario", t.Scenario), new("step", t.Step ?? string.Empty), new("threshold", t.Expression)];

    private static IEnumerable<KeyValuePair<string, object?>> Scenario(RunInfo info, ScenarioSnapshot s, (string Key, string Value) extra) =>
        [new("suite", info.Suite), new("scenario", s.Name), new("region", info.Region), new(extra.Key, extra.Value)];
}
