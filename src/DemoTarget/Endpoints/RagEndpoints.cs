using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Faults;
using Probe.DemoTarget.Knowledge;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// <c>POST /rag/query {question}</c>: answer, cited sources, token usage and timings (also in the
/// <c>X-Retrieval-Time-Ms</c> and <c>X-Generation-Time-Ms</c> headers); <c>POST /rag/chat/stream</c>:
/// the same answer as server-sent events, one token each, after the configured time to first token.
/// </summary>
internal static class RagEndpoints
{
    public static void Map(IEndpointRouteBuilder app, FaultInjector faults, TimeProvider time)
    {
        app.MapPost("/rag/query", async (RagRequest request, HttpContext http) =>
        {
            if (string.IsNullOrWhiteSpace(request.Question))
            {
                return Results.Json(new { error = "question is required" }, statusCode: StatusCodes.Status400BadRequest);
            }

            long start = time.GetTimestamp();
            Answer answer = Compose(request.Question);
            double retrievalMs = time.GetElapsedTime(start).TotalMilliseconds;
            TimeSpan generation = faults.NextPace().DueAt(answer.Tokens.Length);
            await time.DelayAtLeastAsync(generation, http.RequestAborted);
            http.Response.Headers["X-Retrieval-Time-Ms"] = retrievalMs.ToString("0.###", CultureInfo.InvariantCulture);
            http.Response.Headers["X-Generation-Time-Ms"] = generation.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
            return Results.Json(new
            {
                answer = answer.Text,
                sources = answer.Sources,
                usage = answer.Usage,
                timings = new { retrieval_ms = retrievalMs, generation_ms = generation.TotalMilliseconds },
            });
        });

        app.MapPost("/rag/chat/stream", async (RagRequest request, HttpContext http) =>
        {
            long start = time.GetTimestamp();
            Answer answer = Compose(request.Question ?? string.Empty);
            TokenPace pace = faults.NextPace();
            http.Response.ContentType = "text/event-stream";
            http.Response.Headers.CacheControl = "no-cache";
            await http.Response.Body.FlushAsync(http.RequestAborted);
            for (int i = 0; i < answer.Tokens.Length; i++)
            {
                await time.DelayUntilAsync(start, pace.DueAt(i), http.RequestAborted);
                await WriteEvent(http, JsonSerializer.Serialize(new { token = answer.Tokens[i] }));
            }

            await WriteEvent(http, JsonSerializer.Serialize(new { done = true, sources = answer.Sources, usage = answer.Usage }));
            await WriteEvent(http, "[DONE]");
        });
    }

    private static async Task WriteEvent(HttpContext http, string data)
    {
        await http.Response.WriteAsync($"data: {data}\n\n", http.RequestAborted);
        await http.Response.Body.FlushAsync(http.RequestAborted);
    }

    /// <summary>The answer is the best document's text, cited with the top two documents.</summary>
    internal static Answer Compose(string question)
    {
        var found = KnowledgeBase.Search(question, 2);
        string text = found.Count == 0 ? "I don't know the answer to that." : found[0].Document.Content;
        string[] tokens = text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).ToArray();
        int prompt = KnowledgeBase.Words(question).Length + found.Sum(f => f.Document.Content.Split(' ').Length);
        return new Answer(text, tokens, found.Select(f => f.Document.Id).ToArray(), new Usage(prompt, tokens.Length, prompt + tokens.Length));
    }

    internal sealed record RagRequest(string? Question);

    internal sealed record Answer(string Text, string[] Tokens, string[] Sources, Usage Usage);

    internal sealed record Usage(int prompt_tokens, int completion_tokens, int total_tokens);
}
