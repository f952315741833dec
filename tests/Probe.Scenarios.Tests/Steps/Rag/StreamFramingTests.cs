using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Rag;

/// <summary>
/// Streamed answers framed as the server-sent events specification allows — LF, CR or CRLF line
/// ends, data over several lines, named events, comments, ids and retry fields, a byte order mark —
/// must read as the same answer with the same token count; error events, a stream that breaks off
/// and one that ends without the API's end marker must fail with reason <c>stream</c>, never pass.
/// </summary>
public class StreamFramingTests
{
    private const string Golden = """{ "g": [ { "question": "How much is a haircut?", "facts": ["$30"] } ] }""";

    public static TheoryData<string, string, string, string?> Cases => new()
    {
        // name, api, event stream, failure reason (null: the answer "A haircut is $30." in 4 chunks passes)
        { "OpenAI, LF", "openai-chat", Chat("\n"), null },
        { "OpenAI, CRLF", "openai-chat", Chat("\r\n"), null },
        { "OpenAI, CR", "openai-chat", Chat("\r"), null },
        { "OpenAI, a byte order mark first", "openai-chat", "\uFEFF" + Chat("\n"), null },
        { "OpenAI, 'data:' with no space", "openai-chat", Chat("\n").Replace("data: ", "data:", StringComparison.Ordinal), null },
        { "OpenAI, comments and keep-alives between chunks", "openai-chat", Chat("\n").Replace("\n\n", "\n\n: keep-alive\n\n", StringComparison.Ordinal), null },
        { "OpenAI, id and retry fields", "openai-chat", Chat("\n").Replace("data: ", "id: 7\nretry: 3000\ndata: ", StringComparison.Ordinal), null },
        { "OpenAI, a chunk's JSON over two data lines", "openai-chat", Chat("\n").Replace("{\"id\"", "{\ndata: \"id\"", StringComparison.Ordinal), null },
        { "OpenAI, only a finish reason, no [DONE]", "openai-chat", Chat("\n").Replace("data: [DONE]\n\n", string.Empty, StringComparison.Ordinal), null },
        { "Anthropic, named events", "anthropic-messages", Anthropic("\n"), null },
        { "Anthropic, CRLF and a ping", "anthropic-messages", Anthropic("\r\n"), null },
        { "plain RAG stream, text data without JSON", "question", "data: A\n\ndata:  haircut\n\ndata:  is\n\ndata:  $30.\n\ndata: [DONE]\n\n", null },
        { "OpenAI, an error object mid-stream", "openai-chat", Chunk("A", "\n") + "data: {\"error\": {\"message\": \"overloaded\", \"type\": \"server_error\"}}\n\n", "stream" },
        { "Anthropic, an error event", "anthropic-messages", "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n", "stream" },
        { "OpenAI, ends without finish reason or [DONE]", "openai-chat", Chunk("A", "\n") + Chunk(" haircut", "\n"), "stream" },
        { "Anthropic, ends before message_stop", "anthropic-messages", Anthropic("\n").Replace("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n", string.Empty, StringComparison.Ordinal), "stream" },
        { "OpenAI, the last event never finished (no blank line): not dispatched", "openai-chat", Chunk("A", "\n") + "data: [DONE]", "stream" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Stream_FramedAsGiven_ReadsTheAnswerOrFailsAsStream(string name, string api, string events, string? reason)
    {
        _ = name;
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse(events), RawEnd.Close));

        StepResult result = await AskAsync(server.Address, api);

        Assert.True(reason is null ? result.IsOk : !result.IsOk && result.Reason.Label() == reason, $"expected {reason ?? "ok"}, got {result.Reason.Label()}: {result.Message}");
        Assert.NotNull(result.Tokens);
        Assert.Equal(reason is null, result.Tokens!.Ok);
        if (reason is null)
        {
            Assert.True(result.Tokens.Streamed);
            Assert.Equal(4, result.Tokens.OutputTokens);
            Assert.Equal(3, result.Tokens.GapsNs.Count);
        }
    }

    [Fact]
    public async Task Stream_ConnectionResetMidAnswer_FailsAsStreamSayingHowFarItGot()
    {
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse(Chunk("A", "\n") + Chunk(" haircut", "\n")), RawEnd.Reset));

        StepResult result = await AskAsync(server.Address, "openai-chat");

        Assert.Equal(FailureReason.Stream, result.Reason);
        Assert.StartsWith("question 1: the stream broke off after 2 chunks", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_ErrorEvent_SaysTheServersMessage()
    {
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"), RawEnd.Close));

        StepResult result = await AskAsync(server.Address, "anthropic-messages");

        Assert.Equal((FailureReason.Stream, "question 1: error event after 0 chunks: Overloaded"), (result.Reason, result.Message));
    }

    [Fact]
    public async Task Stream_UsageGiven_CountsTokensFromItNotFromChunks()
    {
        string events = Chat("\n").Replace("data: [DONE]", "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":6,\"total_tokens\":15}}\n\ndata: [DONE]", StringComparison.Ordinal);
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse(events), RawEnd.Close));

        StepResult result = await AskAsync(server.Address, "openai-chat");

        Assert.True(result.IsOk, result.Message);
        Assert.Equal((6, 9, true), (result.Tokens!.OutputTokens, result.Tokens.InputTokens, result.Tokens.CountedFromUsage));
    }

    [Fact]
    public async Task Stream_Anthropic_InputTokensFromMessageStartSurviveThePingsAndBlocksAfterIt()
    {
        // The regression: an event that carried no counts (ping, content_block_start) reset the input tokens
        // message_start gave to 0.
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse(Anthropic("\n")), RawEnd.Close));

        StepResult result = await AskAsync(server.Address, "anthropic-messages");

        Assert.True(result.IsOk, result.Message);
        Assert.Equal((4, 9, true), (result.Tokens!.OutputTokens, result.Tokens.InputTokens, result.Tokens.CountedFromUsage));
    }

    [Theory]
    [InlineData("openai-chat", "reasoning_content")]
    [InlineData("openai-chat", "reasoning")]
    [InlineData("anthropic-messages", "thinking")]
    public async Task Stream_ReasoningBeforeTheAnswer_TimesTheFirstTokenAndCountsTheTokensButStaysOutOfTheAnswer(string api, string field)
    {
        // vLLM's benchmark counts a reasoning model's thinking as output tokens: the first thinking chunk is the first
        // token, and TPOT spreads the rest over all of them. The thinking names the fact; the answer must still give it.
        string Thought(string text) => api == "openai-chat"
            ? $"data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{\"{field}\":\"{text}\"}},\"finish_reason\":null}}]}}\n\n"
            : $"event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"thinking_delta\",\"thinking\":\"{text}\"}}}}\n\n";
        string thinking = Thought("Prices list") + Thought(" a haircut at $30.");
        string answered = api == "openai-chat" ? Chat("\n") : Anthropic("\n").Replace("\"output_tokens\":4", "\"output_tokens\":6", StringComparison.Ordinal);
        string wrong = answered.Replace("$30.", "$40.", StringComparison.Ordinal);
        int at = answered.IndexOf(api == "openai-chat" ? "data: {\"id\":\"c\",\"object\"" : "event: content_block_delta", StringComparison.Ordinal);
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(Sse(answered.Insert(at, thinking)), RawEnd.Close));
        await using var misled = RawHttpServer.Start((_, _) => new RawAnswer(Sse(wrong.Insert(at, thinking)), RawEnd.Close));

        StepResult result = await AskAsync(server.Address, api);
        StepResult fooled = await AskAsync(misled.Address, api);

        Assert.True(result.IsOk, result.Message);
        Assert.Equal((6, 5), (result.Tokens!.OutputTokens, result.Tokens.GapsNs.Count));
        Assert.False(fooled.IsOk, "a fact only the thinking named passed");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Answer_PastMaxBody_FailsAsBodyInsteadOfFillingTheMemory(bool stream)
    {
        // An endpoint that never stops (a model looping, a wrong path serving a large file) must not take the run down.
        string filler = new('x', 200_000);
        string answer = stream
            ? Sse(Chunk("A", "\n") + Chunk(filler, "\n") + "data: [DONE]\n\n")
            : $"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{{\"choices\":[{{\"message\":{{\"content\":\"{filler}\"}}}}]}}";
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(answer, RawEnd.Close));

        StepResult result = await AskAsync(server.Address, "openai-chat", $", \"stream\": {(stream ? "true" : "false")}, \"max_body\": 65536");

        Assert.Equal((FailureReason.Body, "question 1: the body is larger than max_body (65536 bytes)"), (result.Reason, result.Message));
    }

    private static string Chunk(string content, string eol) =>
        $"data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}},\"finish_reason\":null}}]}}{eol}{eol}";

    private static string Chat(string eol) =>
        $"data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"\"}},\"finish_reason\":null}}]}}{eol}{eol}"
        + Chunk("A", eol) + Chunk(" haircut", eol) + Chunk(" is", eol) + Chunk(" $30.", eol)
        + $"data: {{\"id\":\"c\",\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}]}}{eol}{eol}"
        + $"data: [DONE]{eol}{eol}";

    private static string Anthropic(string eol)
    {
        string Event(string type, string data) => $"event: {type}{eol}data: {data}{eol}{eol}";
        string Delta(string text) => Event("content_block_delta", $"{{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{text}\"}}}}");
        return Event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}")
            + Event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
            + Event("ping", "{\"type\":\"ping\"}")
            + Delta("A") + Delta(" haircut") + Delta(" is") + Delta(" $30.")
            + Event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + Event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":4}}")
            + Event("message_stop", "{\"type\":\"message_stop\"}");
    }

    /// <summary>An HTTP/1.1 answer that streams <paramref name="events"/> until the server closes the connection.</summary>
    private static string Sse(string events) => $"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n{events}";

    private static async Task<StepResult> AskAsync(Uri target, string api, string fields = ", \"stream\": true")
    {
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes($$"""
            {
              "targets": { "t": { "url": "{{target}}" } },
              "golden": {{Golden}},
              "scenarios": { "s": { "steps": [ { "name": "ask", "rag": { "api": "{{api}}", "golden": "g"{{fields}}{{(api == "question" ? string.Empty : ", \"model\": \"m\"")}} }, "timeout": "5s" } ] } }
            }
            """), "stream.json");
        using BoundSuite bound = SuiteBinder.Bind(suite);
        await using var scenario = new OnDemandScenario(bound.Scenarios[0]);
        return Assert.Single((await scenario.RunOnceAsync()).Steps).Result;
    }
}
