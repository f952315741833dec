using System.Globalization;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// One LLM step's token figures as the reports show them (docs/suite.md "Token metrics"): the
/// per-request distributions, and the run's throughput over the step's measured time.
/// </summary>
public sealed record LlmFigures(string Scenario, string Step, LlmSnapshot Llm, double MeasuredSeconds)
{
    /// <summary>Every step of <paramref name="result"/> that asked a model, in scenario and step order.</summary>
    public static IReadOnlyList<LlmFigures> Of(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Scenarios
            .SelectMany(s => s.Steps.Where(step => step.Llm is not null)
                .Select(step => new LlmFigures(s.Name, step.Name, step.Llm!, step.Rps > 0 ? step.Count / step.Rps : 0)))
            .ToArray();
    }

    public long Requests => Llm.Requests;

    public long Answered => Llm.Answered;

    public LatencySummary TimeToFirstToken => Llm.TimeToFirstToken.Summarize();

    public LatencySummary InterTokenLatency => Llm.InterTokenLatency.Summarize();

    public LatencySummary TimePerOutputToken => Llm.TimePerOutputToken.Summarize();

    public LatencySummary EndToEnd => Llm.EndToEnd.Summarize();

    /// <summary>Per request: output tokens ÷ end-to-end.</summary>
    public RateSummary OutputTokensPerSecond => Llm.OutputTokensPerSecond;

    /// <summary>The decode rate of streamed answers: 1 ÷ mean time per output token; 0 when none was streamed.</summary>
    public double DecodeRate => TimePerOutputToken is { Count: > 0, MeanNanoseconds: > 0 } t ? 1e9 / t.MeanNanoseconds : 0;

    /// <summary>The whole run's output tokens per second: every answer's output tokens ÷ the measured time.</summary>
    public double OutputThroughput => MeasuredSeconds > 0 ? Llm.OutputTokens / MeasuredSeconds : 0;

    /// <summary>Answered requests per second over the measured time.</summary>
    public double RequestThroughput => MeasuredSeconds > 0 ? Answered / MeasuredSeconds : 0;

    /// <summary>The columns of <see cref="Rows"/>.</summary>
    public static IReadOnlyList<string> Columns { get; } = ["figure", "p50", "p90", "p95", "p99", "mean", "max"];

    /// <summary>One line for people: requests, tokens and where their counts came from, throughput.</summary>
    public string Headline() => string.Create(CultureInfo.InvariantCulture,
        $"{Requests} requests, {Answered} answered ({Llm.Streamed} streamed); {Llm.OutputTokens} output tokens (counted from {Llm.TokenSource}), {Llm.InputTokens} input tokens; output throughput {OutputThroughput:0.#} tokens/s; request throughput {RequestThroughput:0.##}/s");

    /// <summary>The distributions, formatted, in the order of <see cref="Columns"/>; figures nothing was measured for are left out.</summary>
    public IReadOnlyList<string[]> Rows()
    {
        var rows = new List<string[]>();
        foreach ((string name, LatencySummary s) in new[]
        {
            ("time to first token", TimeToFirstToken), ("inter-token latency", InterTokenLatency), ("time per output token", TimePerOutputToken), ("end-to-end latency", EndToEnd),
        })
        {
            if (s.Count > 0)
            {
                rows.Add([name, Ms(s.P50Nanoseconds), Ms(s.P90Nanoseconds), Ms(s.P95Nanoseconds), Ms(s.P99Nanoseconds), Ms(s.MeanNanoseconds), Ms(s.MaxNanoseconds)]);
            }
        }

        RateSummary tps = OutputTokensPerSecond;
        if (tps.Count > 0)
        {
            rows.Add(["output tokens/s per request", .. new[] { tps.P50, tps.P90, tps.P95, tps.P99, tps.Mean, tps.Max }.Select(v => v.ToString("0.#", CultureInfo.InvariantCulture))]);
        }

        return rows;
    }

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);
}
