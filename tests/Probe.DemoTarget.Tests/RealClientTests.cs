using System.ClientModel;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI;
using OpenAI.Chat;
using Probe.DemoTarget.Faults;

namespace Probe.DemoTarget.Tests;

/// <summary>
/// The official OpenAI and Anthropic .NET SDKs, as real clients, against the demo target's LLM
/// endpoints: if the SDKs read its answers — whole and streamed, with usage — it speaks the real wire
/// formats, and Probe's tests against it mean something for real services.
/// </summary>
public sealed class RealClientTests : IAsyncLifetime
{
    private const string Question = "How much is a haircut?";

    private DemoTargetHost _target = null!;

    public async Task InitializeAsync()
    {
        _target = await DemoTargetHost.StartAsync();
        _target.Faults.Settings = new FaultSettings { TimeToFirstToken = TimeSpan.FromMilliseconds(5), InterTokenGap = TimeSpan.FromMilliseconds(1) };
    }

    public async Task DisposeAsync() => await _target.DisposeAsync();

    [Fact]
    public async Task OpenAiSdk_WholeAndStreamed_GetsTheSameAnswerAndUsage()
    {
        var client = new ChatClient("demo-model", new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = new Uri(_target.Address, "v1/") });

        ChatCompletion whole = (await client.CompleteChatAsync([new UserChatMessage(Question)])).Value;
        string streamed = string.Empty;
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (StreamingChatCompletionUpdate update in client.CompleteChatStreamingAsync([new SystemChatMessage("Be brief."), new UserChatMessage(Question)]))
        {
            streamed += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage = update.Usage ?? usage;
            finish = update.FinishReason ?? finish;
        }

        Assert.Contains("$30", whole.Content[0].Text, StringComparison.Ordinal);
        Assert.Equal(whole.Content[0].Text, streamed);
        Assert.Equal(ChatFinishReason.Stop, whole.FinishReason);
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(whole.Content[0].Text.Split(' ').Length, whole.Usage.OutputTokenCount);
        Assert.NotNull(usage); // the SDK asks for stream_options.include_usage; the demo answers with a usage chunk
        Assert.Equal(whole.Usage.OutputTokenCount, usage.OutputTokenCount);
        Assert.Equal(whole.Usage.InputTokenCount, usage.InputTokenCount);
    }

    [Fact]
    public async Task OpenAiSdk_MaxTokens_CutsTheAnswerWithFinishReasonLength()
    {
        var client = new ChatClient("demo-model", new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = new Uri(_target.Address, "v1/") });

        ChatCompletion cut = (await client.CompleteChatAsync([new UserChatMessage(Question)], new ChatCompletionOptions { MaxOutputTokenCount = 2 })).Value;

        Assert.Equal((ChatFinishReason.Length, 2), (cut.FinishReason, cut.Usage.OutputTokenCount));
    }

    [Fact]
    public async Task AnthropicSdk_WholeAndStreamed_GetsTheSameAnswerAndUsage()
    {
        var client = new AnthropicClient { BaseUrl = _target.Address.ToString().TrimEnd('/'), ApiKey = "not-needed" };
        MessageCreateParams ask = new() { Model = "demo-claude", MaxTokens = 256, Messages = [new UserMessageParam { Content = Question }] };

        Message whole = await client.Messages.Create(ask);
        string text = string.Concat(whole.Content.Select(b => b.TryPickText(out TextBlock? t) ? t.Text : string.Empty));
        string streamed = string.Empty;
        long? outputTokens = null;
        bool stopped = false;
        await foreach (RawMessageStreamEvent e in client.Messages.CreateStreaming(ask))
        {
            if (e.TryPickContentBlockDelta(out RawContentBlockDeltaEvent? delta) && delta.Delta.TryPickText(out TextDelta? piece))
            {
                streamed += piece.Text;
            }

            outputTokens = e.TryPickDelta(out RawMessageDeltaEvent? end) ? end.Usage.OutputTokens : outputTokens;
            stopped |= e.TryPickStop(out _);
        }

        Assert.Contains("$30", text, StringComparison.Ordinal);
        Assert.Equal(text, streamed);
        Assert.Equal(whole.Usage.OutputTokens, outputTokens);
        Assert.True(stopped, "message_stop came");
    }
}
