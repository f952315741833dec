using System.Text.Json;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// Everything the reports of a run say, in one model: the run's metadata, its figures, thresholds
/// and verdict (baseline comparisons among the thresholds), every check's tally and every RAG step's
/// figures. Each format in <see cref="ReportFormats"/> renders it; <c>run.json</c> stores it
/// losslessly, so <see cref="ReadFolder"/> gives it back.
/// </summary>
public sealed record RunReport
{
    /// <param name="info">Who ran what, where.</param>
    /// <param name="result">The run's figures, thresholds and verdict.</param>
    public RunReport(RunInfo info, RunResult result)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(result);
        Info = info;
        Result = result;
    }

    public RunInfo Info { get; init; }

    public RunResult Result { get; init; }

    /// <summary>Every check with its evaluations and failures, in scenario, step and declaration order.</summary>
    public IReadOnlyList<CheckReport> Checks { get; init; } = [];

    /// <summary>Every RAG step's figures and golden questions.</summary>
    public IReadOnlyList<RagStepReport> Rag { get; init; } = [];

    /// <summary>Every step that asked a model, with its token figures.</summary>
    public IReadOnlyList<LlmFigures> Llm => LlmFigures.Of(Result);

    /// <summary>Each scenario's target (its name in the suite), for the <c>target</c> label; empty when unknown.</summary>
    public IReadOnlyDictionary<string, string> Targets { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra bucket bounds (seconds) for the duration histograms of metrics.prom: the suite's latency SLO thresholds.</summary>
    public IReadOnlyList<double> LatencyBuckets { get; init; } = [];

    /// <summary>Reads a run folder's run.json.</summary>
    /// <exception cref="InvalidDataException">There is no readable run.json in <paramref name="folder"/>.</exception>
    public static RunReport ReadFolder(string folder)
    {
        string file = Path.Combine(folder, RunDataJson.FileName);
        try
        {
            return Read(File.ReadAllBytes(file));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"cannot read {file}: {e.Message}; give the folder of a probe run", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"cannot read {file}: {e.Message}; give the folder of a probe run", e);
        }
    }

    /// <summary>Reads the bytes of a run.json.</summary>
    /// <exception cref="InvalidDataException">They are not a readable Probe run file.</exception>
    public static RunReport Read(ReadOnlySpan<byte> runJson)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(runJson.ToArray());
            return RunDataJson.Read(document.RootElement);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// The report of a run made by several shards: figures merged exactly, thresholds judged again on
    /// the merged figures, check and RAG tallies side by side, <paramref name="invalidReasons"/>
    /// (missing shards) added.
    /// </summary>
    public static RunReport Merge(IReadOnlyList<RunReport> shards, IReadOnlyList<string> invalidReasons)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfZero(shards.Count);
        RunResult merged = RunMerge.Merge(shards.Select(s => s.Result).ToArray(), invalidReasons);
        RunInfo info = shards[0].Info with { Host = $"{shards.Count} shards: {string.Join(", ", shards.Select(s => s.Info.Host).Distinct())}" };
        return new RunReport(info, merged)
        {
            Checks = shards.SelectMany(s => s.Checks).ToArray(),
            Rag = shards.SelectMany(s => s.Rag).ToArray(),
            LatencyBuckets = shards[0].LatencyBuckets,
            Targets = shards[0].Targets,
        };
    }
}
