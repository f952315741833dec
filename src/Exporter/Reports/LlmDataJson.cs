using System.Text.Json;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;

namespace Probe.Exporter.Reports;

/// <summary>
/// A step's token figures in run.json, losslessly: whole histograms, counts, and each request as
/// <c>[ok, ttft_ns, tpot_ns, e2e_ns, output_tps]</c> (−1 where a figure does not apply), so goodput
/// can be computed again for any objectives.
/// </summary>
internal static class LlmDataJson
{
    public static void Write(Utf8JsonWriter w, LlmSnapshot llm)
    {
        w.WriteStartObject("llm");
        w.WriteNumber("streamed", llm.Streamed);
        w.WriteNumber("output_tokens", llm.OutputTokens);
        w.WriteNumber("input_tokens", llm.InputTokens);
        w.WriteNumber("counted_from_usage", llm.CountedFromUsage);
        w.WriteNumber("counted_from_chunks", llm.CountedFromChunks);
        w.WriteBase64String("ttft", HistogramSerializer.Serialize(llm.TimeToFirstToken));
        w.WriteBase64String("itl", HistogramSerializer.Serialize(llm.InterTokenLatency));
        w.WriteBase64String("tpot", HistogramSerializer.Serialize(llm.TimePerOutputToken));
        w.WriteBase64String("e2e", HistogramSerializer.Serialize(llm.EndToEnd));
        w.WriteStartArray("requests");
        foreach (LlmRecord r in llm.Records)
        {
            w.WriteStartArray();
            w.WriteNumberValue(r.Ok ? 1 : 0);
            w.WriteNumberValue(r.TimeToFirstTokenNs);
            w.WriteNumberValue(r.TimePerOutputTokenNs);
            w.WriteNumberValue(r.EndToEndNs);
            w.WriteNumberValue(Math.Round(r.OutputTokensPerSecond, 6));
            w.WriteEndArray();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static LlmSnapshot? Read(JsonElement step)
    {
        if (!step.TryGetProperty("llm", out JsonElement llm))
        {
            return null;
        }

        return new LlmSnapshot
        {
            Streamed = llm.GetProperty("streamed").GetInt64(),
            OutputTokens = llm.GetProperty("output_tokens").GetInt64(),
            InputTokens = llm.GetProperty("input_tokens").GetInt64(),
            CountedFromUsage = llm.GetProperty("counted_from_usage").GetInt64(),
            CountedFromChunks = llm.GetProperty("counted_from_chunks").GetInt64(),
            TimeToFirstToken = Histogram(llm, "ttft"),
            InterTokenLatency = Histogram(llm, "itl"),
            TimePerOutputToken = Histogram(llm, "tpot"),
            EndToEnd = Histogram(llm, "e2e"),
            Records = llm.GetProperty("requests").EnumerateArray()
                .Select(r => new LlmRecord(r[0].GetInt32() == 1, r[1].GetInt64(), r[2].GetInt64(), r[3].GetInt64(), r[4].GetDouble()))
                .ToArray(),
        };
    }

    private static LatencyHistogram Histogram(JsonElement llm, string name) => HistogramSerializer.Deserialize(llm.GetProperty(name).GetBytesFromBase64());
}
