using Probe.Engine.Stats;

namespace Probe.Exporter.Reports.Csv;

/// <summary>
/// Writes <c>timeline.csv</c>: one row per scenario and second of the run — iterations finished,
/// failures, the rate, the load (copies in the closed model, the arrival rate per second in the open
/// one), iterations in flight, drops and latency percentiles in milliseconds — for charts elsewhere.
/// </summary>
public static class TimelineCsv
{
    public const string FileName = "timeline.csv";

    /// <summary>Writes the table for <paramref name="report"/>.</summary>
    public static void Write(RunReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new CsvTable(
            "scenario", "second", "iterations", "failed", "rps", "load", "in_flight", "dropped",
            "p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms");
        foreach (ScenarioSnapshot scenario in report.Result.Scenarios)
        {
            Dictionary<int, SecondSample> seconds = scenario.Iterations.Seconds.ToDictionary(s => s.Second);
            Dictionary<int, LoadSample> load = scenario.Load.GroupBy(l => l.Second).ToDictionary(g => g.Key, g => g.Last());
            foreach (int second in seconds.Keys.Union(load.Keys).Order())
            {
                SecondSample? s = seconds.GetValueOrDefault(second);
                LoadSample? l = load.GetValueOrDefault(second);
                bool any = s is { Count: > 0 };
                table.Row(
                    scenario.Name,
                    second,
                    s?.Count ?? 0,
                    s?.Fail ?? 0,
                    s?.Rps ?? 0,
                    l?.Load,
                    l?.InFlight,
                    l?.Dropped,
                    any ? CsvTable.Ms(s!.Latency.P50Nanoseconds) : null,
                    any ? CsvTable.Ms(s!.Latency.P90Nanoseconds) : null,
                    any ? CsvTable.Ms(s!.Latency.P95Nanoseconds) : null,
                    any ? CsvTable.Ms(s!.Latency.P99Nanoseconds) : null,
                    any ? CsvTable.Ms(s!.Latency.MaxNanoseconds) : null);
            }
        }

        table.WriteTo(output);
    }
}
