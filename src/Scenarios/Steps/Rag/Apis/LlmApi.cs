using System.Text.Json;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>
/// How a <c>rag</c> step talks to its endpoint: the request body it sends, the headers it adds, and how
/// it reads the answer, its token usage and (streamed) each server-sent event. One class per API.
/// </summary>
internal abstract class LlmApi
{
    /// <summary>The names a suite writes in <c>"api"</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["question", "openai-chat", "openai-completions", "anthropic-messages", "template"];

    /// <summary>The request path when the step sets none.</summary>
    public static string DefaultPath(string api) => api switch
    {
        "openai-chat" => "/v1/chat/completions",
        "openai-completions" => "/v1/completions",
        "anthropic-messages" => "/v1/messages",
        _ => "/rag/query",
    };

    /// <summary>Where a whole (not streamed) answer's text is when the step sets no <c>answer</c>.</summary>
    public static string DefaultAnswer(string api) => api switch
    {
        "openai-chat" => "body.choices[0].message.content",
        "openai-completions" => "body.choices[0].text",
        "anthropic-messages" => "body.content[0].text",
        _ => "body.answer",
    };

    /// <summary>The API a step's spec names, ready to build its requests.</summary>
    public static LlmApi For(RagStepSpec spec, string? template) => spec.Llm.Api switch
    {
        "openai-chat" => new OpenAiChatApi(spec.Llm),
        "openai-completions" => new OpenAiCompletionsApi(spec.Llm),
        "anthropic-messages" => new AnthropicMessagesApi(spec.Llm),
        "template" => new TemplateApi(template!, spec.Llm),
        _ => new QuestionApi(spec.QuestionField),
    };

    /// <summary>
    /// Whether a stream is whole only once the API's own end marker came (OpenAI's <c>[DONE]</c> or a
    /// finish reason, Anthropic's <c>message_stop</c>); a stream that ends without it broke off.
    /// </summary>
    public virtual bool HasEndMarker => false;

    /// <summary>Headers the API needs besides the step's own (which win).</summary>
    public virtual IReadOnlyList<KeyValuePair<string, string>> Headers => [];

    /// <summary>The JSON request body asking <paramref name="question"/>.</summary>
    public abstract byte[] Body(string question, bool stream);

    /// <summary>Reads one server-sent event.</summary>
    /// <param name="eventType">The event's type ("message" unless the server named it).</param>
    /// <param name="data">The event's data, its lines joined with '\n'.</param>
    public StreamPiece Read(string eventType, ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            return new StreamPiece { End = true, Last = true };
        }

        JsonDocument? doc = TryParse(data);
        if (doc is null)
        {
            return eventType == "error" ? new StreamPiece { Error = System.Text.Encoding.UTF8.GetString(data) } : ReadText(System.Text.Encoding.UTF8.GetString(data));
        }

        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (eventType == "error" || (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out _)))
            {
                return new StreamPiece { Error = ErrorText(root) };
            }

            return Read(eventType, root);
        }
    }

    private static JsonDocument? TryParse(ReadOnlySpan<byte> data)
    {
        // Data that does not start like JSON is text: no exception for every plain-text token.
        int first = data.IndexOfAnyExcept(" \t\r\n"u8);
        if (first < 0 || data[first] is not ((byte)'{' or (byte)'[' or (byte)'"'))
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(data);
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads one event whose data is JSON (not an error).</summary>
    protected abstract StreamPiece Read(string eventType, JsonElement data);

    /// <summary>Reads one event whose data is not JSON: as a piece of the answer by default.</summary>
    protected virtual StreamPiece ReadText(string data) => new() { Text = data };

    /// <summary>The token usage of a whole answer: (input, output), −1 each where not given.</summary>
    public virtual (int Input, int Output) UsageOf(JsonElement body) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty("usage", out JsonElement usage) ? Usage.Read(usage) : (-1, -1);

    /// <summary>The text of a whole answer, read at <paramref name="answer"/>.</summary>
    public virtual string? AnswerOf(CheckInput input, CheckSubject answer) => CheckEvaluator.Read(answer, input).Text;

    /// <summary>An error event's message: <c>error.message</c>, <c>message</c>, or the data itself.</summary>
    private static string ErrorText(JsonElement root)
    {
        JsonElement e = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement inner) ? inner : root;
        return e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()!
            : e.ValueKind == JsonValueKind.String ? e.GetString()!
            : root.GetRawText();
    }

    /// <summary>Writes the optional sampling fields the step set.</summary>
    protected static void WriteSampling(Utf8JsonWriter w, LlmOptions o)
    {
        if (o.Model is { } model)
        {
            w.WriteString("model", model);
        }

        if (o.MaxTokens is { } max)
        {
            w.WriteNumber("max_tokens", max);
        }

        if (o.Temperature is { } temperature)
        {
            w.WriteNumber("temperature", temperature);
        }
    }

    /// <summary>A JSON body written by <paramref name="write"/>.</summary>
    protected static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            write(w);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>What one server-sent event carried.</summary>
internal readonly record struct StreamPiece
{
    // Kept one up, so that a default piece (an event that carried nothing, such as Anthropic's ping) reads −1,
    // "not said", and never overwrites the counts an earlier event gave (it used to zero message_start's input tokens).
    private readonly int _inputTokensPlusOne;
    private readonly int _outputTokensPlusOne;

    /// <summary>A piece of the answer (a content chunk when not empty).</summary>
    public string? Text { get; init; }

    /// <summary>
    /// A piece of a reasoning model's thinking (OpenAI-compatible <c>reasoning_content</c> or <c>reasoning</c>,
    /// Anthropic's <c>thinking_delta</c>): output tokens, so a token chunk for the timings, but not the answer.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>Input tokens the event gave, or −1.</summary>
    public int InputTokens { get => _inputTokensPlusOne - 1; init => _inputTokensPlusOne = value + 1; }

    /// <summary>Output tokens the event gave, or −1.</summary>
    public int OutputTokens { get => _outputTokensPlusOne - 1; init => _outputTokensPlusOne = value + 1; }

    /// <summary>An error event's message.</summary>
    public string? Error { get; init; }

    /// <summary>The API's end marker: the answer is whole.</summary>
    public bool End { get; init; }

    /// <summary>Nothing may follow (OpenAI's <c>[DONE]</c>, Anthropic's <c>message_stop</c>): stop reading.</summary>
    public bool Last { get; init; }

    /// <summary>Cited sources the event carried.</summary>
    public JsonElement? Sources { get; init; }

    /// <summary>When the event was read (a TimeProvider timestamp).</summary>
    public long At { get; init; }
}
