using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// OpenAI's chat completions and completions: chunks of <c>choices[0].delta.content</c> (chat) or
/// <c>choices[0].text</c>, a last chunk with the finish reason, a usage chunk with empty choices when
/// <c>stream_options.include_usage</c> asked for it, then <c>data: [DONE]</c>.
/// </summary>
internal sealed class OpenAiFormat(bool chat) : LlmFormat
{
    public static readonly OpenAiFormat Chat = new(chat: true);

    public static readonly OpenAiFormat Completions = new(chat: false);

    public override string IdPrefix => chat ? "chatcmpl-" : "cmpl-";

    private string WholeObject => chat ? "chat.completion" : "text_completion";

    private string ChunkObject => chat ? "chat.completion.chunk" : "text_completion";

    public override LlmRequest? Read(JsonElement body, out string? problem)
    {
        string? question = chat ? LastUserMessage(body)
            : body.TryGetProperty("prompt", out JsonElement prompt) ? prompt.ValueKind == JsonValueKind.Array ? TextOf(prompt[0]) : TextOf(prompt) : null;
        problem = question is null ? (chat ? "'messages' must hold a user message" : "'prompt' is required") : null;
        bool includeUsage = body.TryGetProperty("stream_options", out JsonElement options) && options.ValueKind == JsonValueKind.Object && Flag(options, "include_usage");
        return question is null ? null : new LlmRequest(question, Flag(body, "stream"), Model(body), MaxTokens(body, chat && body.TryGetProperty("max_completion_tokens", out _) ? "max_completion_tokens" : "max_tokens"), includeUsage);
    }

    public override Task WriteErrorAsync(HttpContext http, string message)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return http.Response.WriteAsJsonAsync(new { error = new { message, type = "invalid_request_error", param = (string?)null, code = (string?)null } });
    }

    public override string Whole(LlmReply r) => JsonSerializer.Serialize(new
    {
        id = r.Id,
        @object = WholeObject,
        created = r.Created,
        model = r.Request.Model,
        choices = new[] { chat ? (object)new { index = 0, message = new { role = "assistant", content = r.Text }, finish_reason = Finish(r) } : new { index = 0, text = r.Text, finish_reason = Finish(r) } },
        usage = Usage(r),
    });

    public override string Opening(LlmReply r) => chat ? Chunk(r, new { role = "assistant", content = string.Empty }, null) : string.Empty;

    public override string Token(LlmReply r, string token) => chat ? Chunk(r, new { content = token }, null) : Chunk(r, token, null);

    public override string Closing(LlmReply r)
    {
        string closing = chat ? Chunk(r, new { }, Finish(r)) : Chunk(r, string.Empty, Finish(r));
        if (r.Request.IncludeUsage)
        {
            closing += LlmEndpoints.Event(new { id = r.Id, @object = ChunkObject, created = r.Created, model = r.Request.Model, choices = Array.Empty<object>(), usage = Usage(r) });
        }

        return closing + LlmEndpoints.Event("[DONE]");
    }

    private string Chunk(LlmReply r, object piece, string? finish) => LlmEndpoints.Event(new
    {
        id = r.Id,
        @object = ChunkObject,
        created = r.Created,
        model = r.Request.Model,
        choices = new[] { chat ? (object)new { index = 0, delta = piece, finish_reason = finish } : new { index = 0, text = piece, finish_reason = finish } },
    });

    private static string Finish(LlmReply r) => r.Truncated ? "length" : "stop";

    private static object Usage(LlmReply r) => new { prompt_tokens = r.PromptTokens, completion_tokens = r.Tokens.Length, total_tokens = r.PromptTokens + r.Tokens.Length };
}

/// <summary>
/// Anthropic's Messages API: <c>message_start</c> (input tokens), <c>content_block_start</c>, a
/// <c>ping</c>, a <c>content_block_delta</c> per token, <c>content_block_stop</c>,
/// <c>message_delta</c> (stop reason, output tokens), <c>message_stop</c>.
/// </summary>
internal sealed class AnthropicFormat : LlmFormat
{
    public static readonly AnthropicFormat Instance = new();

    public override string IdPrefix => "msg_";

    public override LlmRequest? Read(JsonElement body, out string? problem)
    {
        string? question = LastUserMessage(body);
        int? max = MaxTokens(body, "max_tokens");
        problem = question is null ? "messages: a user message is required" : max is null ? "max_tokens: Field required" : null;
        return problem is null ? new LlmRequest(question!, Flag(body, "stream"), Model(body), max, IncludeUsage: true) : null;
    }

    public override Task WriteErrorAsync(HttpContext http, string message)
    {
        http.Response.StatusCode = StatusCodes.Status400BadRequest;
        return http.Response.WriteAsJsonAsync(new { type = "error", error = new { type = "invalid_request_error", message } });
    }

    /// <summary>As the real API: no version header, no answer.</summary>
    public override string? HeaderProblem(HttpRequest request) =>
        request.Headers.ContainsKey("anthropic-version") ? null : "anthropic-version: header is required";

    public override string Whole(LlmReply r) => JsonSerializer.Serialize(new
    {
        id = r.Id,
        type = "message",
        role = "assistant",
        model = r.Request.Model,
        content = new[] { new { type = "text", text = r.Text } },
        stop_reason = Stop(r),
        stop_sequence = (string?)null,
        usage = new { input_tokens = r.PromptTokens, output_tokens = r.Tokens.Length },
    });

    public override string Opening(LlmReply r) =>
        LlmEndpoints.Event(new
        {
            type = "message_start",
            message = new { id = r.Id, type = "message", role = "assistant", model = r.Request.Model, content = Array.Empty<object>(), stop_reason = (string?)null, stop_sequence = (string?)null, usage = new { input_tokens = r.PromptTokens, output_tokens = 1 } },
        }, "message_start")
        + LlmEndpoints.Event(new { type = "content_block_start", index = 0, content_block = new { type = "text", text = string.Empty } }, "content_block_start")
        + LlmEndpoints.Event(new { type = "ping" }, "ping");

    public override string Token(LlmReply r, string token) =>
        LlmEndpoints.Event(new { type = "content_block_delta", index = 0, delta = new { type = "text_delta", text = token } }, "content_block_delta");

    public override string Closing(LlmReply r) =>
        LlmEndpoints.Event(new { type = "content_block_stop", index = 0 }, "content_block_stop")
        + LlmEndpoints.Event(new { type = "message_delta", delta = new { stop_reason = Stop(r), stop_sequence = (string?)null }, usage = new { output_tokens = r.Tokens.Length } }, "message_delta")
        + LlmEndpoints.Event(new { type = "message_stop" }, "message_stop");

    private static string Stop(LlmReply r) => r.Truncated ? "max_tokens" : "end_turn";
}
