using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Faults;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// A stand-in LLM service speaking the real wire formats: OpenAI's <c>POST /v1/chat/completions</c> and
/// <c>POST /v1/completions</c> and Anthropic's <c>POST /v1/messages</c>, whole or streamed as
/// server-sent events, with token usage. The answer is the RAG answer to the last user message, one
/// token per word; the first token goes out exactly the configured time to first token after the
/// request came, and token i at TTFT + i × gap (a share of answers paced slowly), so tests can hold
/// Probe's figures against known truth.
/// </summary>
internal static class LlmEndpoints
{
    public static void Map(IEndpointRouteBuilder app, FaultInjector faults, TimeProvider time)
    {
        app.MapPost("/v1/chat/completions", (HttpContext http) => AnswerAsync(http, faults, time, OpenAiFormat.Chat));
        app.MapPost("/v1/completions", (HttpContext http) => AnswerAsync(http, faults, time, OpenAiFormat.Completions));
        app.MapPost("/v1/messages", (HttpContext http) => AnswerAsync(http, faults, time, AnthropicFormat.Instance));
    }

    private static async Task AnswerAsync(HttpContext http, FaultInjector faults, TimeProvider time, LlmFormat format)
    {
        long start = time.GetTimestamp();
        LlmRequest? request;
        if (format.HeaderProblem(http.Request) is { } missing)
        {
            await format.WriteErrorAsync(http, missing);
            return;
        }

        try
        {
            using JsonDocument body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
            request = format.Read(body.RootElement, out string? problem);
            if (request is null)
            {
                await format.WriteErrorAsync(http, problem!);
                return;
            }
        }
        catch (JsonException e)
        {
            await format.WriteErrorAsync(http, $"the body is not JSON: {e.Message}");
            return;
        }

        RagEndpoints.Answer answer = RagEndpoints.Compose(request.Question);
        string[] tokens = request.MaxTokens is { } max && max < answer.Tokens.Length ? answer.Tokens[..max] : answer.Tokens;
        var reply = new LlmReply(request, tokens, answer.Usage.prompt_tokens, tokens.Length < answer.Tokens.Length, $"{format.IdPrefix}{Guid.NewGuid():N}", time.GetUtcNow().ToUnixTimeSeconds());
        TokenPace pace = faults.NextPace();
        if (!request.Stream)
        {
            await time.DelayUntilAsync(start, pace.DueAt(Math.Max(0, tokens.Length - 1)), http.RequestAborted);
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync(format.Whole(reply), http.RequestAborted);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        await WriteAsync(http, format.Opening(reply));
        for (int i = 0; i < tokens.Length; i++)
        {
            await time.DelayUntilAsync(start, pace.DueAt(i), http.RequestAborted);
            await WriteAsync(http, format.Token(reply, tokens[i]));
        }

        await WriteAsync(http, format.Closing(reply));
    }

    private static async Task WriteAsync(HttpContext http, string events)
    {
        await http.Response.WriteAsync(events, http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    /// <summary>One server-sent event: an optional type and one data line.</summary>
    internal static string Event(object data, string? type = null) =>
        $"{(type is null ? string.Empty : $"event: {type}\n")}data: {(data as string ?? JsonSerializer.Serialize(data))}\n\n";
}

/// <summary>What the demo was asked: the last user message, whether to stream, the model and the token cap.</summary>
internal sealed record LlmRequest(string Question, bool Stream, string Model, int? MaxTokens, bool IncludeUsage);

/// <summary>The answer being sent.</summary>
internal sealed record LlmReply(LlmRequest Request, string[] Tokens, int PromptTokens, bool Truncated, string Id, long Created)
{
    public string Text => string.Concat(Tokens);
}

/// <summary>One API's wire format.</summary>
internal abstract class LlmFormat
{
    public abstract string IdPrefix { get; }

    /// <summary>The request, or null with the <paramref name="problem"/>.</summary>
    public abstract LlmRequest? Read(JsonElement body, out string? problem);

    public abstract Task WriteErrorAsync(HttpContext http, string message);

    /// <summary>What a header the API requires lacks, or null.</summary>
    public virtual string? HeaderProblem(HttpRequest request) => null;

    public abstract string Whole(LlmReply reply);

    /// <summary>The events before the first token.</summary>
    public abstract string Opening(LlmReply reply);

    public abstract string Token(LlmReply reply, string token);

    /// <summary>The events after the last token.</summary>
    public abstract string Closing(LlmReply reply);

    /// <summary>A message's text: a string, or the text parts of a list of parts.</summary>
    protected static string? TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString(),
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => null,
    };

    /// <summary>The last user message of <c>messages</c>.</summary>
    protected static string? LastUserMessage(JsonElement body) =>
        body.TryGetProperty("messages", out JsonElement messages) && messages.ValueKind == JsonValueKind.Array
            ? messages.EnumerateArray()
                .Where(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("role", out JsonElement r) && r.GetString() == "user" && m.TryGetProperty("content", out _))
                .Select(m => TextOf(m.GetProperty("content")))
                .LastOrDefault()
            : null;

    protected static string Model(JsonElement body) =>
        body.TryGetProperty("model", out JsonElement m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : "probe-demo";

    protected static int? MaxTokens(JsonElement body, string field) =>
        body.TryGetProperty(field, out JsonElement m) && m.ValueKind == JsonValueKind.Number && m.TryGetInt32(out int n) && n > 0 ? n : null;

    protected static bool Flag(JsonElement body, string field) =>
        body.TryGetProperty(field, out JsonElement f) && f.ValueKind == JsonValueKind.True;
}
