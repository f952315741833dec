using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// A scheduled LLM check against the demo target, which starts every other answer's first token late:
/// the runner must publish the probe_llm_* series, judge each answer against the ttft and goodput
/// SLOs (probe_slo_events_total), store each answer's figures, and compute the SLIs from the store.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class LlmSloTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ScheduledChat_HalfTheAnswersSlow_SeriesEventsStoreAndSlisAgree()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = Path.Combine(folder, "llm.json");
        File.WriteAllText(suite, $$"""
            {
              "suite": "llm",
              "targets": { "llm": { "url": "http://127.0.0.1:{{ProbeProcess.FreePort()}}", "demo": { "ttft": "20ms", "token_gap": "2ms", "slow_share": 0.5, "slow_ttft": "400ms" } } },
              "golden": { "g": [ { "question": "How much is a haircut?", "facts": ["$30"] } ] },
              "scenarios": {
                "chat": {
                  "steps": [ { "name": "ask", "rag": { "api": "openai-chat", "model": "m", "golden": "g", "stream": true } } ],
                  "schedule": { "every": "1s" }
                }
              },
              "slos": {
                "first-token": { "kind": "ttft", "objective": "99%", "threshold": "200ms", "window": "1d" },
                "goodput": { "kind": "goodput", "objective": "99%", "objectives": "ttft < 200ms, tpot < 50ms", "window": "1d" }
              }
            }
            """);
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--refresh", "1s");
        await runner.WaitForResultsAsync(6, Limit);

        using var http = new HttpClient { BaseAddress = runner.Address };
        JsonElement results = await http.GetFromJsonAsync<JsonElement>("/api/results?limit=100");
        JsonElement[] llm = results.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("llm")).ToArray();
        Assert.True(llm.Length >= 6);
        Assert.All(llm, a => Assert.True(a.GetProperty("ok").GetBoolean()));
        int slow = llm.Count(a => a.GetProperty("ttft_ms").GetDouble() >= 400);
        Assert.InRange(slow, (llm.Length / 2) - 1, (llm.Length / 2) + 1); // every other answer

        string metrics = await Poll.UntilAsync(_ => http.GetStringAsync("/metrics"), m => Events(m, "goodput") >= llm.Length && m.Contains("probe_sli_ratio{suite=\"llm\",slo=\"goodput\",window=\"5m\",region=\"all\"}", StringComparison.Ordinal), Limit);
        Assert.Contains("probe_llm_time_to_first_token_seconds_bucket{suite=\"llm\",scenario=\"chat\",step=\"ask\"", metrics, StringComparison.Ordinal);
        Assert.Contains("probe_llm_time_per_output_token_seconds_count{suite=\"llm\",scenario=\"chat\",step=\"ask\"", metrics, StringComparison.Ordinal);
        Assert.Contains("probe_llm_output_tokens_total{suite=\"llm\",scenario=\"chat\",step=\"ask\"", metrics, StringComparison.Ordinal);
        foreach (string slo in new[] { "first-token", "goodput" })
        {
            double good = Value(metrics, $"probe_slo_events_total{{suite=\"llm\",slo=\"{slo}\",region=\"local\",result=\"good\"}}");
            double bad = Value(metrics, $"probe_slo_events_total{{suite=\"llm\",slo=\"{slo}\",region=\"local\",result=\"bad\"}}");
            Assert.InRange(bad, Math.Floor((good + bad) / 2), Math.Ceiling((good + bad) / 2)); // the slow half
        }

        // The SLI from the store: the share of stored answers that met the objectives, about a half.
        double sli = Value(metrics, "probe_sli_ratio{suite=\"llm\",slo=\"goodput\",window=\"1d\",region=\"all\"}");
        Assert.InRange(sli, 0.3, 0.7);

        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
    }

    private static double Events(string metrics, string slo) =>
        metrics.Contains($"probe_slo_events_total{{suite=\"llm\",slo=\"{slo}\"", StringComparison.Ordinal)
            ? Value(metrics, $"probe_slo_events_total{{suite=\"llm\",slo=\"{slo}\",region=\"local\",result=\"good\"}}", 0) + Value(metrics, $"probe_slo_events_total{{suite=\"llm\",slo=\"{slo}\",region=\"local\",result=\"bad\"}}", 0)
            : 0;

    private static double Value(string metrics, string series, double? missing = null)
    {
        string? line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? missing ?? throw new Xunit.Sdk.XunitException($"no {series} in\n{metrics}") : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
