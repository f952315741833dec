using System.Text.Json;
using Probe.Engine.Thresholds;

namespace Probe.Exporter.Reports;

/// <summary>Reads an earlier run's summary.json as baseline figures per scenario.</summary>
public static class SummaryReader
{
    private static readonly string[] Percentiles = ["p50", "p75", "p90", "p95", "p99", "mean", "max"];

    /// <summary>
    /// Reads <paramref name="path"/>: a summary.json, or a run's output folder holding one.
    /// </summary>
    /// <exception cref="InvalidDataException">It cannot be read or is not a Probe summary; the message says why.</exception>
    public static IReadOnlyDictionary<string, BaselineFigures> ReadBaseline(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string file = Directory.Exists(path) ? Path.Combine(path, "summary.json") : path;
        try
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllBytes(file));
            JsonElement root = doc.RootElement;
            if (!root.TryGetProperty("schema", out JsonElement schema) || schema.GetString() != SummaryJson.Schema)
            {
                throw new InvalidDataException($"{file} is not a Probe summary ({SummaryJson.Schema}); give the summary.json of an earlier probe run, or its folder");
            }

            var baseline = new Dictionary<string, BaselineFigures>(StringComparer.Ordinal);
            foreach (JsonElement scenario in root.GetProperty("scenarios").EnumerateArray())
            {
                JsonElement iterations = scenario.GetProperty("iterations");
                JsonElement latency = iterations.GetProperty("latency_ms");
                var values = Percentiles.ToDictionary(p => p, p => latency.GetProperty(p).GetDouble() * 1e6, StringComparer.Ordinal);
                values["p99.9"] = latency.GetProperty("p99_9").GetDouble() * 1e6;
                values["error_rate"] = iterations.GetProperty("error_rate").GetDouble();
                values["rps"] = iterations.GetProperty("rps").GetDouble();
                baseline[scenario.GetProperty("name").GetString()!] = new BaselineFigures(values);
            }

            return baseline;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read the baseline {file}: {e.Message}", e);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new InvalidDataException($"{file} is not a readable Probe summary: {e.Message}", e);
        }
    }
}
