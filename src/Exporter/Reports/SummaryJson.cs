using System.Globalization;
using System.Text.Json;
using Probe.Engine.Histograms;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// Writes <c>summary.json</c>, the versioned machine contract of a run (<c>"schema": "probe.summary/v1"</c>):
/// metadata, the generator's own health, per scenario and step the counts, rates, latency and
/// service-time percentiles in milliseconds, status codes, failure reasons and phases, every
/// threshold with its observed value, the verdict and the exit code. Fields are only ever added.
/// </summary>
public static class SummaryJson
{
    public const string Schema = "probe.summary/v1";

    /// <summary>Writes the summary of <paramref name="report"/>.</summary>
    public static void Write(RunReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WriteString("suite", info.Suite);
        w.WriteString("suite_file", info.SuiteFile);
        w.WriteString("probe_version", info.ProbeVersion);
        WriteStringOrNull(w, "git_commit", info.GitCommit);

        w.WriteString("started_at", result.StartedAt.ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("duration_s", Math.Round(result.Duration.TotalSeconds, 3));
        w.WriteString("verdict", result.Verdict.ToString().ToLowerInvariant());
        w.WriteNumber("exit_code", (int)result.ExitCode);
        w.WriteStartObject("generator");
        w.WriteString("host", info.Host);
        w.WriteString("region", info.Region);
        w.WriteBoolean("valid", result.IsValid);
        w.WriteStartArray("invalid_reasons");
        foreach (string reason in result.InvalidReasons)
        {
            w.WriteStringValue(reason);
        }

        w.WriteEndArray();
        WriteStringOrNull(w, "abort_reason", result.AbortReason);

        w.WriteEndObject();
        w.WriteStartArray("scenarios");
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            WriteScenario(w, s);
        }

        w.WriteEndArray();
        w.WriteStartArray("thresholds");
        foreach (ThresholdResult t in result.Thresholds)
        {
            WriteThreshold(w, t);
        }

        w.WriteEndArray();
        WriteRag(w, report.Rag, report.Llm);
        WriteLlm(w, report.Llm);
        WriteChecks(w, report.Checks);
        w.WriteStartArray("load_changes");
        foreach (LoadChange change in result.LoadChanges)
        {
            WriteLoadChange(w, change);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>One load change made during the run (<c>probe run --control</c>): when, which scenario, what, who asked.</summary>
    public static void WriteLoadChange(Utf8JsonWriter w, LoadChange change)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(change);
        w.WriteStartObject();
        w.WriteNumber("at_s", Math.Round(change.At.TotalSeconds, 3));
        w.WriteString("scenario", change.Scenario);
        w.WriteString("change", change.Text);
        w.WriteString("model", change.Model?.ToString().ToLowerInvariant());
        if (change.Value is { } value)
        {
            w.WriteNumber("value", value);
        }
        else
        {
            w.WriteNull("value");
        }

        WriteStringOrNull(w, "source", change.Source);
        w.WriteEndObject();
    }

    /// <summary>The "checks" section: every check with its evaluations and failures.</summary>
    private static void WriteChecks(Utf8JsonWriter w, IReadOnlyList<CheckReport> checks)
    {
        w.WriteStartArray("checks");
        foreach (CheckReport c in checks)
        {
            w.WriteStartObject();
            w.WriteString("scenario", c.Scenario);
            w.WriteString("step", c.Step);
            w.WriteString("check", c.Check);
            w.WriteNumber("evaluated", c.Evaluated);
            w.WriteNumber("failed", c.Failed);
            WriteStringOrNull(w, "last_failed_actual", c.LastFailedActual);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The "rag" section: per RAG step, the aggregate and every question.</summary>
    private static void WriteRag(Utf8JsonWriter w, IReadOnlyList<RagStepReport> reports, IReadOnlyList<LlmFigures> llm)
    {
        w.WriteStartArray("rag");
        foreach (RagStepReport r in reports)
        {
            LlmFigures? f = llm.FirstOrDefault(l => l.Scenario == r.Scenario && l.Step == r.Step);
            w.WriteStartObject();
            w.WriteString("scenario", r.Scenario);
            w.WriteString("step", r.Step);
            w.WriteNumber("pass_rate", Math.Round(r.PassRate, 6));
            w.WriteNumber("fact_recall", Math.Round(r.FactRecall, 6));
            w.WriteNumber("source_recall", Math.Round(r.SourceRecall, 6));
            // Kept from before the "llm" section, which has every token figure.
            w.WriteNumber("tokens", f?.Llm.OutputTokens ?? 0);
            w.WriteNumber("tokens_per_second", Math.Round(f?.DecodeRate ?? 0, 3));
            w.WritePropertyName("time_to_first_token_ms");
            WriteSummary(w, f is { Llm.Streamed: > 0 } ? f.TimeToFirstToken : LatencySummary.Empty);
            w.WritePropertyName("inter_token_gap_ms");
            WriteSummary(w, f?.InterTokenLatency ?? LatencySummary.Empty);
            w.WritePropertyName("retrieval_ms");
            WriteSummary(w, r.Retrieval);
            w.WritePropertyName("generation_ms");
            WriteSummary(w, r.Generation);
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
                WriteStringOrNull(w, "last_miss", q.LastMiss);

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>The "llm" section: per step that asked a model, the token figures of docs/suite.md "Token metrics".</summary>
    private static void WriteLlm(Utf8JsonWriter w, IReadOnlyList<LlmFigures> llm)
    {
        w.WriteStartArray("llm");
        foreach (LlmFigures f in llm)
        {
            w.WriteStartObject();
            w.WriteString("scenario", f.Scenario);
            w.WriteString("step", f.Step);
            w.WriteNumber("requests", f.Requests);
            w.WriteNumber("answered", f.Answered);
            w.WriteNumber("streamed", f.Llm.Streamed);
            w.WriteString("token_source", f.Llm.TokenSource);
            w.WriteNumber("output_tokens", f.Llm.OutputTokens);
            w.WriteNumber("input_tokens", f.Llm.InputTokens);
            foreach ((string name, LatencySummary summary) in new[]
            {
                ("ttft_ms", f.TimeToFirstToken), ("itl_ms", f.InterTokenLatency), ("tpot_ms", f.TimePerOutputToken), ("e2e_ms", f.EndToEnd),
            })
            {
                w.WritePropertyName(name);
                WriteSummary(w, summary);
            }

            RateSummary tps = f.OutputTokensPerSecond;
            w.WriteStartObject("output_tokens_per_second");
            w.WriteNumber("count", tps.Count);
            foreach ((string name, double value) in new[] { ("mean", tps.Mean), ("min", tps.Min), ("p50", tps.P50), ("p90", tps.P90), ("p95", tps.P95), ("p99", tps.P99), ("max", tps.Max) })
            {
                w.WriteNumber(name, Math.Round(value, 3));
            }

            w.WriteEndObject();
            w.WriteNumber("output_throughput_tokens_per_second", Math.Round(f.OutputThroughput, 3));
            w.WriteNumber("request_throughput_per_second", Math.Round(f.RequestThroughput, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static void WriteScenario(Utf8JsonWriter w, ScenarioSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        w.WritePropertyName("iterations");
        WriteStep(w, s.Iterations, includeName: false);
        w.WritePropertyName("scheduler_lag_ms");
        WriteSummary(w, s.SchedulerLag);
        w.WriteStartObject("late_starts");
        w.WriteNumber("count", s.LateStarts.Count);
        w.WriteStartArray("first");
        foreach (LateStart late in s.LateStarts.First)
        {
            w.WriteStartObject();
            w.WriteNumber("at_s", Math.Round(late.At.TotalSeconds, 3));
            w.WriteNumber("lag_ms", Math.Round(late.Lag.TotalMilliseconds, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteNumber("dropped", s.Dropped);
        w.WriteStartArray("steps");
        foreach (StepSnapshot step in s.Steps)
        {
            WriteStep(w, step, includeName: true);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteStep(Utf8JsonWriter w, StepSnapshot s, bool includeName)
    {
        w.WriteStartObject();
        if (includeName)
        {
            w.WriteString("name", s.Name);
        }

        w.WriteNumber("count", s.Count);
        w.WriteNumber("ok", s.Ok);
        w.WriteNumber("fail", s.Fail);
        w.WriteNumber("error_rate", Math.Round(s.ErrorRate, 6));
        w.WriteNumber("rps", Math.Round(s.Rps, 3));
        w.WriteNumber("bytes", s.Bytes);
        w.WritePropertyName("latency_ms");
        WriteSummary(w, s.Latency);
        w.WritePropertyName("service_time_ms");
        WriteSummary(w, s.ServiceTime);
        WriteCounts(w, "status_codes", s.StatusCodes, static code => code < 0 ? "other" : code.ToString(CultureInfo.InvariantCulture));
        WriteCounts(w, "failure_reasons", s.FailureReasons, static reason => reason.Label());
        w.WriteStartArray("failure_messages");
        foreach (string m in s.FailureMessages)
        {
            w.WriteStringValue(m);
        }

        w.WriteEndArray();
        w.WriteStartObject("phases_ms");
        foreach ((string phase, LatencySummary summary) in s.Phases)
        {
            w.WritePropertyName(phase);
            WriteSummary(w, summary);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A latency summary in milliseconds, rounded to the microsecond.</summary>
    internal static void WriteSummary(Utf8JsonWriter w, LatencySummary s)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteNumber("count", s.Count);
        w.WriteNumber("min", Ms(s.MinNanoseconds));
        w.WriteNumber("mean", Ms(s.MeanNanoseconds));
        w.WriteNumber("p50", Ms(s.P50Nanoseconds));
        w.WriteNumber("p75", Ms(s.P75Nanoseconds));
        w.WriteNumber("p90", Ms(s.P90Nanoseconds));
        w.WriteNumber("p95", Ms(s.P95Nanoseconds));
        w.WriteNumber("p99", Ms(s.P99Nanoseconds));
        w.WriteNumber("p99_9", Ms(s.P999Nanoseconds));
        w.WriteNumber("max", Ms(s.MaxNanoseconds));
        w.WriteEndObject();
    }

    private static void WriteThreshold(Utf8JsonWriter w, ThresholdResult t)
    {
        w.WriteStartObject();
        w.WriteString("scenario", t.Scenario);
        WriteStringOrNull(w, "step", t.Step);

        w.WriteString("expression", t.Expression);
        if (double.IsNaN(t.Observed))
        {
            w.WriteNull("observed");
        }
        else
        {
            w.WriteNumber("observed", t.Observed);
        }

        w.WriteString("observed_text", t.ObservedText);
        w.WriteBoolean("passed", t.Passed);
        WriteStringOrNull(w, "note", t.Note);

        w.WriteEndObject();
    }

    /// <summary>Writes <paramref name="counts"/> as an object <paramref name="name"/>, each count under the name <paramref name="key"/> gives it.</summary>
    internal static void WriteCounts<TKey>(Utf8JsonWriter w, string name, IReadOnlyDictionary<TKey, long> counts, Func<TKey, string> key)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentNullException.ThrowIfNull(key);
        w.WriteStartObject(name);
        foreach ((TKey k, long n) in counts)
        {
            w.WriteNumber(key(k), n);
        }

        w.WriteEndObject();
    }

    /// <summary>Writes a string property, or null when there is no value.</summary>
    internal static void WriteStringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static double Ms(long ns) => Math.Round(ns / 1e6, 3);
}
