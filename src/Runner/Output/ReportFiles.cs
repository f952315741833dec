using Probe.Engine.Stats;
using System.Text;
using System.Text.Json;
using Probe.Engine.Verdicts;
using Probe.Exporter.Prometheus;
using Probe.Exporter.Reports;
using Probe.Exporter.Reports.Html;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;

namespace Probe.Runner.Output;

/// <summary>Writes a run's reports into its output folder: summary.json, report.html, report.md, junit.xml, metrics.prom, and run.json (the data they come from).</summary>
internal static class ReportFiles
{
    /// <summary>The lossless record of the run, from which <c>probe report DIR</c> renders every report again.</summary>
    public const string RunFile = "run.json";

    /// <summary>Reads a run folder's run.json and writes every report again.</summary>
    /// <exception cref="InvalidDataException">There is no readable run.json in <paramref name="folder"/>.</exception>
    public static RunResult Rewrite(string folder)
    {
        string file = Path.Combine(folder, RunFile);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new InvalidDataException($"cannot read {file}: {e.Message}; give the folder of a probe run", e);
        }

        using (document)
        {
            RunData data = ReadRunData(document.RootElement);
            Write(folder, data.Info, data.Result, data.Rag, data.Checks, data.Buckets);
            return data.Result;
        }
    }

    /// <summary>
    /// Writes the reports of a sharded run from its shards' run.json: the figures merged exactly, the
    /// thresholds evaluated on the merged figures, <paramref name="invalidReasons"/> (missing shards) added.
    /// </summary>
    /// <exception cref="InvalidDataException">A shard's run data cannot be read.</exception>
    public static RunResult WriteMerged(string folder, IReadOnlyList<byte[]> shards, IReadOnlyList<string> invalidReasons)
    {
        RunData[] data = shards.Select((bytes, i) =>
        {
            try
            {
                using JsonDocument document = JsonDocument.Parse(bytes);
                return ReadRunData(document.RootElement);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
            {
                throw new InvalidDataException($"the run data of shard {i} cannot be read: {e.Message}", e);
            }
        }).ToArray();
        RunResult merged = RunMerge.Merge(data.Select(d => d.Result).ToArray(), invalidReasons);
        RunInfo info = data[0].Info with { Host = $"{data.Length} shards: {string.Join(", ", data.Select(d => d.Info.Host).Distinct())}" };
        Directory.CreateDirectory(folder);
        Write(folder, info, merged, data.SelectMany(d => d.Rag).ToArray(), data.SelectMany(d => d.Checks).ToArray(), data[0].Buckets);
        return merged;
    }

    private static RunData ReadRunData(JsonElement root)
    {
        (RunInfo info, RunResult result) = RunDataJson.Read(root);
        return new RunData(
            info,
            result,
            root.GetProperty("rag").Deserialize<RagStepReport[]>()!,
            root.GetProperty("checks").Deserialize<CheckReport[]>()!,
            root.GetProperty("latency_buckets").Deserialize<double[]>()!);
    }

    private sealed record RunData(RunInfo Info, RunResult Result, RagStepReport[] Rag, CheckReport[] Checks, double[] Buckets);

    /// <param name="folder">The output folder.</param>
    /// <param name="info">The run's metadata.</param>
    /// <param name="result">The run.</param>
    /// <param name="rag">RAG steps' reports.</param>
    /// <param name="checks">Per-check tallies.</param>
    /// <param name="latencyBuckets">Extra bucket bounds for metrics.prom (the suite's latency SLO thresholds, in seconds).</param>
    public static void Write(string folder, RunInfo info, RunResult result, IReadOnlyList<RagStepReport> rag, IReadOnlyList<CheckReport> checks, IReadOnlyList<double> latencyBuckets)
    {
        Directory.CreateDirectory(folder);
        var cases = checks.Select(c => new CheckCase(c.Scenario, c.Step, c.Check, c.Evaluated, c.Failed, c.LastFailedActual)).ToArray();
        using (FileStream data = File.Create(Path.Combine(folder, RunFile)))
        {
            RunDataJson.Write(data, info, result, w =>
            {
                w.WritePropertyName("rag");
                JsonSerializer.Serialize(w, rag);
                w.WritePropertyName("checks");
                JsonSerializer.Serialize(w, checks);
                w.WritePropertyName("latency_buckets");
                JsonSerializer.Serialize(w, latencyBuckets);
            });
        }

        using (FileStream summary = File.Create(Path.Combine(folder, "summary.json")))
        {
            SummaryJson.Write(summary, info, result, w =>
            {
                WriteRag(w, rag);
                WriteChecks(w, cases);
            });
        }

        File.WriteAllText(Path.Combine(folder, "report.md"), MarkdownReport.Render(info, result), new UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, "report.html"), HtmlReport.Render(info, result), new UTF8Encoding(false));
        JUnitReport.Render(info, result, cases).Save(Path.Combine(folder, "junit.xml"));
        File.WriteAllText(Path.Combine(folder, "metrics.prom"), RunMetrics.Render(info, result, latencyBuckets), new UTF8Encoding(false));
    }

    /// <summary>The "checks" section of summary.json: every check with its evaluations and failures.</summary>
    private static void WriteChecks(Utf8JsonWriter w, IReadOnlyList<CheckCase> checks)
    {
        w.WriteStartArray("checks");
        foreach (CheckCase c in checks)
        {
            w.WriteStartObject();
            w.WriteString("scenario", c.Scenario);
            w.WriteString("step", c.Step);
            w.WriteString("check", c.Check);
            w.WriteNumber("evaluated", c.Evaluated);
            w.WriteNumber("failed", c.Failed);
            SummaryJson.WriteStringOrNull(w, "last_failed_actual", c.LastFailedActual);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The "rag" section of summary.json: per RAG step, the aggregate and every question.</summary>
    private static void WriteRag(Utf8JsonWriter w, IReadOnlyList<RagStepReport> reports)
    {
        w.WriteStartArray("rag");
        foreach (RagStepReport r in reports)
        {
            w.WriteStartObject();
            w.WriteString("scenario", r.Scenario);
            w.WriteString("step", r.Step);
            w.WriteNumber("pass_rate", Math.Round(r.PassRate, 6));
            w.WriteNumber("fact_recall", Math.Round(r.FactRecall, 6));
            w.WriteNumber("source_recall", Math.Round(r.SourceRecall, 6));
            w.WriteNumber("tokens", r.Tokens);
            w.WriteNumber("tokens_per_second", Math.Round(r.TokensPerSecond, 3));
            w.WritePropertyName("time_to_first_token_ms");
            SummaryJson.WriteSummary(w, r.TimeToFirstToken);
            w.WritePropertyName("inter_token_gap_ms");
            SummaryJson.WriteSummary(w, r.InterTokenGap);
            w.WritePropertyName("retrieval_ms");
            SummaryJson.WriteSummary(w, r.Retrieval);
            w.WritePropertyName("generation_ms");
            SummaryJson.WriteSummary(w, r.Generation);
            w.WriteStartArray("questions");
            foreach (RagQuestionReport q in r.Questions)
            {
                w.WriteStartObject();
                w.WriteNumber("index", q.Index);
                w.WriteString("question", q.Question);
                w.WriteNumber("asked", q.Asked);
                w.WriteNumber("passed", q.Passed);
                w.WriteNumber("facts_found", q.FactsFound);
                w.WriteNumber("facts_expected", q.FactsExpected);
                w.WriteNumber("sources_cited", q.SourcesCited);
                w.WriteNumber("sources_expected", q.SourcesExpected);
                SummaryJson.WriteStringOrNull(w, "last_miss", q.LastMiss);

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
