using System.Text.Json;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>
/// A plain RAG endpoint: <c>{"question": "…"}</c> in; streamed, each event's <c>token</c>,
/// <c>content</c>, <c>text</c> or <c>delta</c> string (or non-JSON data) is a piece of the answer, and an
/// event with <c>sources</c> cites them.
/// </summary>
internal sealed class QuestionApi(string questionField) : LlmApi
{
    private static readonly string[] TextFields = ["token", "content", "text", "delta"];

    public override byte[] Body(string question, bool stream) => Json(w => w.WriteString(questionField, question));

    protected override StreamPiece Read(string eventType, JsonElement data) => ReadJson(data);

    /// <summary>Reads an event as this API does (for <see cref="TemplateApi"/> to start from).</summary>
    internal static StreamPiece ReadJson(JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        string? text = null;
        foreach (string field in TextFields)
        {
            if (data.TryGetProperty(field, out JsonElement t) && t.ValueKind == JsonValueKind.String)
            {
                text = t.GetString();
                break;
            }
        }

        (int input, int output) = data.TryGetProperty("usage", out JsonElement usage) ? Usage.Read(usage) : (-1, -1);
        return new StreamPiece
        {
            Text = text,
            InputTokens = input,
            OutputTokens = output,
            Sources = data.TryGetProperty("sources", out JsonElement sources) ? sources.Clone() : null,
        };
    }
}
