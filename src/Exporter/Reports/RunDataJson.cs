using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Probe.Engine.Histograms;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// <c>run.json</c>: everything a run measured, losslessly — counts, whole histograms and every second's
/// histogram in compact form — so that <c>probe report DIR</c> can render every report again (and
/// later merge shards). <c>"schema": "probe.run/v1"</c>.
/// </summary>
public static partial class RunDataJson
{
    public const string Schema = "probe.run/v1";

    /// <summary>The file in a run folder.</summary>
    public const string FileName = "run.json";

    public static void Write(RunReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("schema", Schema);
        w.WritePropertyName("info");
        JsonSerializer.Serialize(w, info, Shapes.Default.RunInfo);
        w.WriteString("started_at", result.StartedAt.ToString("O", CultureInfo.InvariantCulture));
        w.WriteNumber("duration_ticks", result.Duration.Ticks);
        w.WritePropertyName("invalid_reasons");
        JsonSerializer.Serialize(w, result.InvalidReasons, Shapes.Default.IReadOnlyListString);
        SummaryJson.WriteStringOrNull(w, "abort_reason", result.AbortReason);
        w.WritePropertyName("thresholds");
        JsonSerializer.Serialize(w, result.Thresholds.Select(t => new ThresholdData(t.Scenario, t.Step, t.Expression, double.IsNaN(t.Observed) ? null : t.Observed, t.ObservedText, t.Passed, t.Note)).ToArray(), Shapes.Default.ThresholdDataArray);
        w.WriteStartArray("scenarios");
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            w.WriteStartObject();
            w.WriteString("name", s.Name);
            w.WriteNumber("dropped", s.Dropped);
            w.WritePropertyName("scheduler_lag");
            JsonSerializer.Serialize(w, s.SchedulerLag, Shapes.Default.LatencySummary);
            w.WritePropertyName("load");
            JsonSerializer.Serialize(w, s.Load, Shapes.Default.IReadOnlyListLoadSample);
            w.WritePropertyName("late_starts");
            JsonSerializer.Serialize(w, s.LateStarts, Shapes.Default.LateStarts);
            w.WritePropertyName("iterations");
            WriteStep(w, s.Iterations);
            w.WriteStartArray("steps");
            foreach (StepSnapshot step in s.Steps)
            {
                WriteStep(w, step);
            }

            w.WriteEndArray();
            if (s.Checks is { } checks)
            {
                // The check tallies, so a merged sharded run judges k6's 'checks rate' on every shard's evaluations.
                w.WriteStartObject("check_totals");
                w.WriteNumber("evaluated", checks.Evaluated);
                w.WriteNumber("failed", checks.Failed);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WritePropertyName("load_changes");
        JsonSerializer.Serialize(w, result.LoadChanges.Select(c => new LoadChangeData(c.At.Ticks, c.Scenario, c.Model?.ToString(), c.Value, c.Source)).ToArray(), Shapes.Default.LoadChangeDataArray);
        w.WritePropertyName("rag");
        JsonSerializer.Serialize(w, report.Rag, Shapes.Default.IReadOnlyListRagStepReport);
        w.WritePropertyName("checks");
        JsonSerializer.Serialize(w, report.Checks, Shapes.Default.IReadOnlyListCheckReport);
        w.WritePropertyName("latency_buckets");
        JsonSerializer.Serialize(w, report.LatencyBuckets, Shapes.Default.IReadOnlyListDouble);
        if (report.Targets.Count > 0)
        {
            w.WritePropertyName("targets");
            JsonSerializer.Serialize(w, report.Targets, Shapes.Default.IReadOnlyDictionaryStringString);
        }

        w.WriteEndObject();
    }

    /// <summary>Reads a run.json back into the report it was written from.</summary>
    /// <exception cref="InvalidDataException">It is not a Probe run file.</exception>
    public static RunReport Read(JsonElement root)
    {
        if (!root.TryGetProperty("schema", out JsonElement schema) || schema.GetString() != Schema)
        {
            throw new InvalidDataException($"not a Probe run file ({Schema})");
        }

        try
        {
            RunInfo info = root.GetProperty("info").Deserialize<RunInfo>()!;
            var result = new RunResult
            {
                StartedAt = DateTimeOffset.Parse(root.GetProperty("started_at").GetString()!, CultureInfo.InvariantCulture),
                Duration = TimeSpan.FromTicks(root.GetProperty("duration_ticks").GetInt64()),
                InvalidReasons = root.GetProperty("invalid_reasons").Deserialize<string[]>()!,
                AbortReason = root.GetProperty("abort_reason").GetString(),
                Thresholds = root.GetProperty("thresholds").Deserialize<ThresholdData[]>()!
                    .Select(t => new ThresholdResult(t.Scenario, t.Step, t.Expression, t.Observed ?? double.NaN, t.ObservedText, t.Passed, t.Note)).ToArray(),
                Scenarios = root.GetProperty("scenarios").EnumerateArray().Select(ReadScenario).ToArray(),
                LoadChanges = root.TryGetProperty("load_changes", out JsonElement changes)
                    ? changes.Deserialize<LoadChangeData[]>()!.Select(c => new LoadChange(TimeSpan.FromTicks(c.AtTicks), c.Scenario, c.Model is null ? null : Enum.Parse<LoadModel>(c.Model), c.Value, c.Source)).ToArray()
                    : [],
            };
            return new RunReport(info, result)
            {
                Rag = root.TryGetProperty("rag", out JsonElement rag) ? rag.Deserialize<RagStepReport[]>()! : [],
                Checks = root.TryGetProperty("checks", out JsonElement checks) ? checks.Deserialize<CheckReport[]>()! : [],
                LatencyBuckets = root.TryGetProperty("latency_buckets", out JsonElement buckets) ? buckets.Deserialize<double[]>()! : [],
                Targets = root.TryGetProperty("targets", out JsonElement targets) ? targets.Deserialize<Dictionary<string, string>>()! : new Dictionary<string, string>(),
            };
        }
        catch (Exception e) when (e is KeyNotFoundException or JsonException or FormatException or InvalidOperationException)
        {
            throw new InvalidDataException($"the run file is damaged: {e.Message}", e);
        }
    }

    private static ScenarioSnapshot ReadScenario(JsonElement s) => new()
    {
        Name = s.GetProperty("name").GetString()!,
        Dropped = s.GetProperty("dropped").GetInt64(),
        SchedulerLag = s.GetProperty("scheduler_lag").Deserialize<LatencySummary>(),
        Load = s.GetProperty("load").Deserialize<LoadSample[]>()!,
        LateStarts = s.TryGetProperty("late_starts", out JsonElement late) ? late.Deserialize<LateStarts>()! : LateStarts.None,
        Iterations = ReadStep(s.GetProperty("iterations")),
        Steps = s.GetProperty("steps").EnumerateArray().Select(ReadStep).ToArray(),
        Checks = s.TryGetProperty("check_totals", out JsonElement checks) ? new CheckTotals(checks.GetProperty("evaluated").GetInt64(), checks.GetProperty("failed").GetInt64()) : null,
        CurrentLoad = 0,
        InFlight = 0,
    };

    private static void WriteStep(Utf8JsonWriter w, StepSnapshot s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        w.WriteNumber("ok", s.Ok);
        w.WriteNumber("fail", s.Fail);
        w.WriteNumber("bytes", s.Bytes);
        w.WriteNumber("rps", s.Rps);
        w.WriteBase64String("latency", HistogramSerializer.Serialize(s.LatencyHistogram));
        w.WriteBase64String("service_time", HistogramSerializer.Serialize(s.ServiceTimeHistogram));
        // Lossless keys, unlike summary.json's: the code itself (also when negative) and the reason's name.
        SummaryJson.WriteCounts(w, "status_codes", s.StatusCodes, static code => code.ToString(CultureInfo.InvariantCulture));
        SummaryJson.WriteCounts(w, "failure_reasons", s.FailureReasons, static reason => reason.ToString());
        w.WritePropertyName("failure_messages");
        JsonSerializer.Serialize(w, s.FailureMessages, Shapes.Default.IReadOnlyListString);
        w.WritePropertyName("phases");
        JsonSerializer.Serialize(w, s.Phases, Shapes.Default.IReadOnlyDictionaryStringLatencySummary);
        if (s.PhaseHistograms.Count > 0)
        {
            w.WriteStartObject("phase_histograms");
            foreach ((string phase, LatencyHistogram h) in s.PhaseHistograms)
            {
                w.WriteBase64String(phase, HistogramSerializer.Serialize(h));
            }

            w.WriteEndObject();
        }

        if (s.Llm is { } llm)
        {
            LlmDataJson.Write(w, llm);
        }

        w.WriteStartArray("seconds");
        foreach (SecondSample second in s.Seconds)
        {
            w.WriteStartObject();
            w.WriteNumber("second", second.Second);
            w.WriteNumber("duration_ticks", second.Duration.Ticks);
            w.WriteNumber("ok", second.Ok);
            w.WriteNumber("fail", second.Fail);
            w.WriteNumber("bytes", second.Bytes);
            w.WriteBase64String("latency", second.LatencyHistogram);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static StepSnapshot ReadStep(JsonElement s)
    {
        LatencyHistogram latency = HistogramSerializer.Deserialize(s.GetProperty("latency").GetBytesFromBase64());
        LatencyHistogram service = HistogramSerializer.Deserialize(s.GetProperty("service_time").GetBytesFromBase64());
        return new StepSnapshot
        {
            Name = s.GetProperty("name").GetString()!,
            Ok = s.GetProperty("ok").GetInt64(),
            Fail = s.GetProperty("fail").GetInt64(),
            Bytes = s.GetProperty("bytes").GetInt64(),
            Rps = s.GetProperty("rps").GetDouble(),
            Latency = latency.Summarize(),
            ServiceTime = service.Summarize(),
            LatencyHistogram = latency,
            ServiceTimeHistogram = service,
            StatusCodes = new SortedDictionary<int, long>(s.GetProperty("status_codes").Deserialize<Dictionary<string, long>>()!.ToDictionary(c => int.Parse(c.Key, CultureInfo.InvariantCulture), c => c.Value)),
            FailureReasons = new SortedDictionary<FailureReason, long>(s.GetProperty("failure_reasons").Deserialize<Dictionary<string, long>>()!.ToDictionary(r => Enum.Parse<FailureReason>(r.Key), r => r.Value)),
            FailureMessages = s.GetProperty("failure_messages").Deserialize<string[]>()!,
            Phases = s.GetProperty("phases").Deserialize<Dictionary<string, LatencySummary>>()!,
            PhaseHistograms = s.TryGetProperty("phase_histograms", out JsonElement phases)
                ? phases.EnumerateObject().ToDictionary(p => p.Name, p => HistogramSerializer.Deserialize(p.Value.GetBytesFromBase64()), StringComparer.Ordinal)
                : new Dictionary<string, LatencyHistogram>(),
            Llm = LlmDataJson.Read(s),
            Seconds = s.GetProperty("seconds").EnumerateArray().Select(x =>
            {
                byte[] histogram = x.GetProperty("latency").GetBytesFromBase64();
                return new SecondSample(
                    x.GetProperty("second").GetInt32(),
                    TimeSpan.FromTicks(x.GetProperty("duration_ticks").GetInt64()),
                    x.GetProperty("ok").GetInt64(),
                    x.GetProperty("fail").GetInt64(),
                    x.GetProperty("bytes").GetInt64(),
                    HistogramSerializer.Deserialize(histogram).Summarize(),
                    histogram);
            }).ToArray(),
        };
    }

    private sealed record LoadChangeData(long AtTicks, string Scenario, string? Model, double? Value, string? Source);

    private sealed record ThresholdData(string Scenario, string? Step, string Expression, double? Observed, string ObservedText, bool Passed, string? Note);

    /// <summary>
    /// What run.json writes through the serialiser, written by generated code: serialising by
    /// reflection compiled about 210 of System.Text.Json's methods in every run, after its load
    /// (bench/README.md, "Fixed cost of a run"). Reading keeps reflection: only <c>probe report</c> reads.
    /// </summary>
    [JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Serialization)]
    [JsonSerializable(typeof(RunInfo))]
    [JsonSerializable(typeof(IReadOnlyList<string>))]
    [JsonSerializable(typeof(ThresholdData[]))]
    [JsonSerializable(typeof(LatencySummary))]
    [JsonSerializable(typeof(IReadOnlyList<LoadSample>))]
    [JsonSerializable(typeof(LateStarts))]
    [JsonSerializable(typeof(LoadChangeData[]))]
    [JsonSerializable(typeof(IReadOnlyList<RagStepReport>))]
    [JsonSerializable(typeof(IReadOnlyList<CheckReport>))]
    [JsonSerializable(typeof(IReadOnlyList<double>))]
    [JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
    [JsonSerializable(typeof(IReadOnlyDictionary<string, LatencySummary>))]
    private sealed partial class Shapes : JsonSerializerContext;
}
