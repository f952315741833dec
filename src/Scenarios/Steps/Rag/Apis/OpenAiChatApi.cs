using System.Text.Json;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>
/// OpenAI's chat completions (<c>/v1/chat/completions</c>), as OpenAI, vLLM, Ollama, LiteLLM, TGI and
/// Azure serve it: the question as the user message after an optional system prompt; streamed, each
/// chunk's <c>choices[0].delta.content</c>, usage asked for with <c>stream_options.include_usage</c>.
/// </summary>
internal class OpenAiChatApi(LlmOptions options) : LlmApi
{
    public override bool HasEndMarker => true;

    public override byte[] Body(string question, bool stream) => Json(w =>
    {
        WriteSampling(w, options);
        w.WriteStartArray("messages");
        if (options.System is { } system)
        {
            Message(w, "system", system);
        }

        Message(w, "user", question);
        w.WriteEndArray();
        WriteStream(w, stream);
    });

    protected static void WriteStream(Utf8JsonWriter w, bool stream)
    {
        w.WriteBoolean("stream", stream);
        if (stream)
        {
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            w.WriteEndObject();
        }
    }

    protected override StreamPiece Read(string eventType, JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        (int input, int output) = data.TryGetProperty("usage", out JsonElement usage) ? Usage.Read(usage) : (-1, -1);
        string? text = null;
        string? reasoning = null;
        bool finished = false;
        if (data.TryGetProperty("choices", out JsonElement choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
        {
            JsonElement choice = choices[0];
            text = TextOf(choice);
            reasoning = ReasoningOf(choice);
            finished = choice.TryGetProperty("finish_reason", out JsonElement reason) && reason.ValueKind == JsonValueKind.String;
        }

        return new StreamPiece { Text = text, Reasoning = reasoning, InputTokens = input, OutputTokens = output, End = finished };
    }

    /// <summary>A streamed choice's text: <c>delta.content</c>.</summary>
    protected virtual string? TextOf(JsonElement choice) =>
        choice.TryGetProperty("delta", out JsonElement delta) && delta.ValueKind == JsonValueKind.Object
        && delta.TryGetProperty("content", out JsonElement content) && content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : null;

    /// <summary>A reasoning model's streamed thinking: <c>delta.reasoning_content</c> (vLLM, DeepSeek) or <c>delta.reasoning</c> (newer vLLM, OpenRouter).</summary>
    private static string? ReasoningOf(JsonElement choice) =>
        choice.TryGetProperty("delta", out JsonElement delta) && delta.ValueKind == JsonValueKind.Object
        && (delta.TryGetProperty("reasoning_content", out JsonElement reasoning) || delta.TryGetProperty("reasoning", out reasoning))
        && reasoning.ValueKind == JsonValueKind.String
            ? reasoning.GetString()
            : null;

    private static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }
}

/// <summary>OpenAI's legacy completions (<c>/v1/completions</c>): the question as the prompt; streamed, each chunk's <c>choices[0].text</c>.</summary>
internal sealed class OpenAiCompletionsApi(LlmOptions options) : OpenAiChatApi(options)
{
    private readonly LlmOptions _options = options;

    public override byte[] Body(string question, bool stream) => Json(w =>
    {
        WriteSampling(w, _options);
        w.WriteString("prompt", _options.System is { } system ? $"{system}\n\n{question}" : question);
        WriteStream(w, stream);
    });

    protected override string? TextOf(JsonElement choice) =>
        choice.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null;
}
