using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace Probe.Runner.Results;

/// <summary>
/// The JSON form of a check result: one object per result in the spool, the <c>steps</c> column of
/// the stores and the <c>/api/results</c> answers. Durations are milliseconds, times ISO 8601 UTC.
/// </summary>
internal static class SyntheticResultJson
{
    public static byte[] Serialize(SyntheticResult result)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, result);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(Utf8JsonWriter json, SyntheticResult r)
    {
        json.WriteStartObject();
        json.WriteString("id", r.Id);
        json.WriteString("suite", r.Suite);
        json.WriteString("scenario", r.Scenario);
        json.WriteString("region", r.Region);
        json.WriteString("target", r.Target);
        json.WriteString("started_at", r.StartedAt.UtcDateTime);
        json.WriteNumber("duration_ms", r.Duration.TotalMilliseconds);
        json.WriteBoolean("ok", r.Ok);
        json.WriteString("reason", r.Reason);
        json.WriteString("message", r.Message);
        json.WriteNumber("status", r.Status);
        json.WriteBoolean("recheck", r.Recheck);
        if (r.Maintenance is not null)
        {
            json.WriteString("maintenance", r.Maintenance);
        }

        json.WritePropertyName("steps");
        WriteSteps(json, r.Steps);
        if (r.Llm is { } llm)
        {
            json.WriteStartObject("llm");
            json.WriteBoolean("ok", llm.Ok);
            WriteNumberOrNull(json, "ttft_ms", llm.TtftMs);
            WriteNumberOrNull(json, "tpot_ms", llm.TpotMs);
            json.WriteNumber("e2e_ms", Math.Round(llm.E2eMs, 3));
            WriteNumberOrNull(json, "output_tps", llm.OutputTps);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static LlmOutcome? ReadLlm(JsonElement e) => e.TryGetProperty("llm", out JsonElement llm) && llm.ValueKind == JsonValueKind.Object
        ? new LlmOutcome(llm.GetProperty("ok").GetBoolean(), NumberOrNull(llm, "ttft_ms"), NumberOrNull(llm, "tpot_ms"), llm.GetProperty("e2e_ms").GetDouble(), NumberOrNull(llm, "output_tps"))
        : null;

    private static double? NumberOrNull(JsonElement e, string name) => e.GetProperty(name).ValueKind == JsonValueKind.Number ? e.GetProperty(name).GetDouble() : null;

    public static string StepsText(IReadOnlyList<StepRecord> steps)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSteps(json, steps);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static SyntheticResult Deserialize(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        using JsonDocument document = JsonDocument.ParseValue(ref reader);
        JsonElement e = document.RootElement;
        return new SyntheticResult(
            e.GetProperty("id").GetGuid(),
            e.GetProperty("suite").GetString()!,
            e.GetProperty("scenario").GetString()!,
            e.GetProperty("region").GetString()!,
            e.GetProperty("target").GetString()!,
            new DateTimeOffset(e.GetProperty("started_at").GetDateTime().ToUniversalTime()),
            TimeSpan.FromMilliseconds(e.GetProperty("duration_ms").GetDouble()),
            e.GetProperty("ok").GetBoolean(),
            e.GetProperty("reason").GetString(),
            e.GetProperty("message").GetString(),
            e.GetProperty("status").GetInt32(),
            ReadSteps(e.GetProperty("steps")),
            e.GetProperty("recheck").GetBoolean())
        {
            Llm = ReadLlm(e),
            Maintenance = e.TryGetProperty("maintenance", out JsonElement maintenance) ? maintenance.GetString() : null,
        };
    }

    public static IReadOnlyList<StepRecord> ParseSteps(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return ReadSteps(document.RootElement);
    }

    private static void WriteSteps(Utf8JsonWriter json, IReadOnlyList<StepRecord> steps)
    {
        json.WriteStartArray();
        foreach (StepRecord s in steps)
        {
            json.WriteStartObject();
            json.WriteString("name", s.Name);
            json.WriteBoolean("ok", s.Ok);
            json.WriteString("reason", s.Reason);
            json.WriteNumber("duration_ms", Math.Round(s.Duration.TotalMilliseconds, 3));
            json.WriteNumber("status", s.Status);
            json.WriteString("message", s.Message);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static StepRecord[] ReadSteps(JsonElement array) => array.EnumerateArray().Select(s => new StepRecord(
        s.GetProperty("name").GetString()!,
        s.GetProperty("ok").GetBoolean(),
        s.GetProperty("reason").GetString(),
        TimeSpan.FromMilliseconds(s.GetProperty("duration_ms").GetDouble()),
        s.GetProperty("status").GetInt32(),
        s.GetProperty("message").GetString())).ToArray();

    /// <summary>Milliseconds as the API and the status page print them.</summary>
    public static string Milliseconds(TimeSpan d) => d.TotalMilliseconds.ToString("0.#", CultureInfo.InvariantCulture);
}
