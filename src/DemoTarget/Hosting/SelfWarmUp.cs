using System.Net.Http.Json;

namespace Probe.DemoTarget.Hosting;

/// <summary>
/// Sends the demo target's own endpoints a few requests right after it starts, before its faults are
/// in force, so that compiling them (Kestrel, routing, JSON) is not paid by the first requests of a
/// run: in <c>probe run</c> the demo target shares the process, and that cost stalled the load too.
/// The requests bypass fault injection and rate limits and change no state.
/// </summary>
internal static class SelfWarmUp
{
    /// <summary>The header that marks a warm-up request (and lets it bypass faults and rate limits).</summary>
    public const string Header = "X-Probe-Demo-Warm-Up";

    public static async Task RunAsync(Uri address, CancellationToken cancellation)
    {
        using var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add(Header, "1");
        for (int round = 0; round < 2; round++)
        {
            foreach (string path in (string[])["/health", "/api/health", "/rag/health", "/guardrails/health", "/api/accounts/chk-001/balance", "/api/accounts/chk-001/transactions?limit=1", "/_demo/faults"])
            {
                using HttpResponseMessage response = await client.GetAsync(path, cancellation).ConfigureAwait(false);
                _ = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
            }

            (string Path, object Body)[] posts =
            [
                ("/api/knowledge/search", new { query = "haircut prices", shopId = 1, limit = 3 }),
                ("/guardrails/check", new { text = "hello" }),
                ("/api/chat", new { message = "opening hours" }),
                ("/rag/query", new { question = "How much is a haircut?" }),
                ("/rag/chat/stream", new { question = "How much is a haircut?" }),
                ("/api/transfers", new { from = "chk-001", to = "chk-001", amount = 0 }), // refused: no state changes
                ("/api/bills/pay", new { account = "chk-001", payee = "", amount = 0 }),
            ];
            foreach ((string path, object body) in posts)
            {
                using HttpResponseMessage response = await client.PostAsJsonAsync(path, body, cancellation).ConfigureAwait(false);
                _ = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
            }
        }
    }
}
