using System.Text;
using System.Text.Json;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>
/// Anthropic's Messages API (<c>/v1/messages</c>): the question as the user message, the system prompt
/// in <c>system</c>, <c>max_tokens</c> always sent (the API requires it; 1024 unless set), and
/// <c>anthropic-version</c> added unless the step sets it. Streamed: <c>content_block_delta</c> events'
/// <c>delta.text</c>; input tokens from <c>message_start</c>, output tokens from <c>message_delta</c>;
/// the stream is whole at <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicMessagesApi(LlmOptions options) : LlmApi
{
    /// <summary>The API version header sent unless the step sets its own.</summary>
    public const string Version = "2023-06-01";

    public override bool HasEndMarker => true;

    public override IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = [new("anthropic-version", Version)];

    public override byte[] Body(string question, bool stream) => Json(w =>
    {
        WriteSampling(w, options with { MaxTokens = options.MaxTokens ?? 1024 });
        if (options.System is { } system)
        {
            w.WriteString("system", system);
        }

        w.WriteStartArray("messages");
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", question);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteBoolean("stream", stream);
    });

    protected override StreamPiece Read(string eventType, JsonElement data)
    {
        string type = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("type", out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : eventType;
        switch (type)
        {
            case "content_block_delta":
                if (!data.TryGetProperty("delta", out JsonElement delta) || delta.ValueKind != JsonValueKind.Object)
                {
                    return default;
                }

                return delta.TryGetProperty("text", out JsonElement text) && text.ValueKind == JsonValueKind.String ? new StreamPiece { Text = text.GetString() }
                    : delta.TryGetProperty("thinking", out JsonElement thinking) && thinking.ValueKind == JsonValueKind.String ? new StreamPiece { Reasoning = thinking.GetString() }
                    : default;
            case "message_start":
                (int input, _) = data.TryGetProperty("message", out JsonElement message) && message.TryGetProperty("usage", out JsonElement start) ? Usage.Read(start) : (-1, -1);
                return new StreamPiece { InputTokens = input };
            case "message_delta":
                (_, int output) = data.TryGetProperty("usage", out JsonElement usage) ? Usage.Read(usage) : (-1, -1);
                return new StreamPiece { OutputTokens = output };
            case "message_stop":
                return new StreamPiece { End = true, Last = true };
            default:
                return default; // ping, content_block_start/stop
        }
    }

    /// <summary>Every text block of the answer's <c>content</c>, in order (unless the step says where the answer is).</summary>
    public override string? AnswerOf(CheckInput input, CheckSubject answer)
    {
        if (answer.ToString() != DefaultAnswer("anthropic-messages")
            || input.Json is not { ValueKind: JsonValueKind.Object } body
            || !body.TryGetProperty("content", out JsonElement content) || content.ValueKind != JsonValueKind.Array)
        {
            return base.AnswerOf(input, answer);
        }

        var text = new StringBuilder();
        foreach (JsonElement block in content.EnumerateArray())
        {
            if (block.ValueKind == JsonValueKind.Object && block.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String)
            {
                text.Append(t.GetString());
            }
        }

        return text.ToString();
    }
}
