using Probe.Engine.Histograms;
using Probe.Engine.Results;
using Probe.Engine.Stats;

namespace Probe.Exporter.Reports.Csv;

/// <summary>
/// Writes <c>stats.csv</c>: one row per scenario's iterations (step empty) and per step — counts,
/// rate, bytes, latency statistics in milliseconds, status codes and failure reasons — for
/// spreadsheets and scripts that compare runs.
/// </summary>
public static class StatsCsv
{
    public const string FileName = "stats.csv";

    /// <summary>Writes the table for <paramref name="report"/>.</summary>
    public static void Write(RunReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        var table = new CsvTable(
            "scenario", "step", "count", "ok", "failed", "error_rate", "rps", "bytes",
            "min_ms", "mean_ms", "p50_ms", "p75_ms", "p90_ms", "p95_ms", "p99_ms", "p99_9_ms", "max_ms",
            "status_codes", "failure_reasons");
        foreach (ScenarioSnapshot scenario in report.Result.Scenarios)
        {
            foreach (StepSnapshot step in (StepSnapshot[])[scenario.Iterations, .. scenario.Steps])
            {
                LatencySummary l = step.Latency;
                table.Row(
                    scenario.Name,
                    ReferenceEquals(step, scenario.Iterations) ? null : step.Name,
                    step.Count,
                    step.Ok,
                    step.Fail,
                    step.ErrorRate,
                    step.Rps,
                    step.Bytes,
                    CsvTable.Ms(l.MinNanoseconds),
                    CsvTable.Ms(l.MeanNanoseconds),
                    CsvTable.Ms(l.P50Nanoseconds),
                    CsvTable.Ms(l.P75Nanoseconds),
                    CsvTable.Ms(l.P90Nanoseconds),
                    CsvTable.Ms(l.P95Nanoseconds),
                    CsvTable.Ms(l.P99Nanoseconds),
                    CsvTable.Ms(l.P999Nanoseconds),
                    CsvTable.Ms(l.MaxNanoseconds),
                    string.Join(' ', step.StatusCodes.OrderBy(c => c.Key).Select(c => $"{c.Key}:{c.Value}")),
                    string.Join(' ', step.FailureReasons.OrderBy(r => r.Key.ToString(), StringComparer.Ordinal).Select(r => $"{r.Key.ToString().ToLowerInvariant()}:{r.Value}")));
            }
        }

        table.WriteTo(output);
    }
}
