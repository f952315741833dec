using System.Net.Http.Json;
using System.Text.Json;
using Probe.DemoTarget;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

/// <summary>
/// The LLM examples, run as a user runs them, against the built-in demo target they start with known
/// token timings (time to first token 200 ms, a token every 20 ms, every tenth answer 1.5 s to its
/// first token): Probe's figures must match that truth — TTFT and inter-token latency within 5 ms,
/// time per output token within 1 ms, output tokens exactly, goodput exactly 90 %.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class LlmExamplesTests
{
    private static readonly string[] Questions = ["How much is a haircut?", "When is the shop open on Saturday?", "What is the daily transfer limit?", "How long do I have to dispute a charge?"];

    [Theory]
    [InlineData("examples/llm-openai.json")]
    [InlineData("examples/llm-anthropic.json")]
    public async Task Example_StreamedChatAgainstTheDemoTarget_MeasuresTheInjectedTruth(string example)
    {
        string folder = ProbeProcess.TempFolder();
        int port = ProbeProcess.FreePort();

        var (exit, stdout, stderr) = await ProbeProcess.RunAsync(folder, "run", Path.Combine(Repository.Root, example), "--scenario", "chat", "--target", $"llm=http://127.0.0.1:{port}", "--out", "out");

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        JsonElement llm = summary.RootElement.GetProperty("llm").EnumerateArray().Single();
        string seen = llm.ToString();
        Assert.Equal((40, 40, 40), (llm.GetProperty("requests").GetInt32(), llm.GetProperty("answered").GetInt32(), llm.GetProperty("streamed").GetInt32()));
        Assert.InRange(Ms(llm, "ttft_ms", "p50"), 200, 205);
        Assert.InRange(Ms(llm, "itl_ms", "p50"), 15, 25);
        Assert.InRange(Ms(llm, "tpot_ms", "p50"), 19.5, 21);
        Assert.Equal("usage", llm.GetProperty("token_source").GetString());
        Assert.True(await ExpectedOutputTokensAsync(40) == llm.GetProperty("output_tokens").GetInt64(), seen);

        JsonElement goodput = summary.RootElement.GetProperty("thresholds").EnumerateArray().Single(t => t.GetProperty("expression").GetString()!.StartsWith("goodput", StringComparison.Ordinal));
        Assert.Equal("90%", goodput.GetProperty("observed_text").GetString());
        Assert.Equal("36 of 40 requests met every objective", goodput.GetProperty("note").GetString());
        Assert.Contains("LLM: chat / chat", File.ReadAllText(Path.Combine(folder, "out", "report.md")), StringComparison.Ordinal);
        Assert.Contains("probe_llm_time_to_first_token_seconds_bucket{suite=", File.ReadAllText(Path.Combine(folder, "out", "metrics.prom")), StringComparison.Ordinal);
    }

    private static double Ms(JsonElement llm, string figure, string stat) => llm.GetProperty(figure).GetProperty(stat).GetDouble();

    /// <summary>The truth, asked of the demo target without Probe: iteration i asks question i mod 4; an answer's tokens are its words.</summary>
    private static async Task<long> ExpectedOutputTokensAsync(int iterations)
    {
        await using DemoTargetHost demo = await DemoTargetHost.StartAsync();
        using var http = new HttpClient { BaseAddress = demo.Address };
        long total = 0;
        for (int i = 0; i < Questions.Length; i++)
        {
            using HttpResponseMessage answer = await http.PostAsJsonAsync("/v1/chat/completions", new { model = "m", messages = new[] { new { role = "user", content = Questions[i] } } });
            JsonElement body = await answer.Content.ReadFromJsonAsync<JsonElement>();
            string text = body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
            total += text.Split(' ').Length * (long)Enumerable.Range(0, iterations).Count(k => k % Questions.Length == i);
        }

        return total;
    }
}
