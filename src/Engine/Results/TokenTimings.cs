namespace Probe.Engine.Results;

/// <summary>
/// How one LLM answer came: the token figures of docs/suite.md "Token metrics", as vLLM's
/// <c>benchmark_serving</c> and GenAI-Perf define them. Times in nanoseconds from the moment the
/// request was sent; −1 where a figure does not apply.
/// </summary>
/// <remarks>
/// A failed request is recorded too (<see cref="Ok"/> false): it counts against goodput.
/// </remarks>
public sealed record TokenTimings
{
    /// <summary>Whether the request got a whole answer (no error status, error event or broken stream).</summary>
    public required bool Ok { get; init; }

    /// <summary>Whether the answer was streamed; only streamed answers have gaps and a time per output token.</summary>
    public required bool Streamed { get; init; }

    /// <summary>Request sent → the first chunk with content (streamed); → the whole answer (not streamed: its first token arrives with its last).</summary>
    public long TimeToFirstTokenNs { get; init; } = -1;

    /// <summary>Request sent → the end of the answer.</summary>
    public required long EndToEndNs { get; init; }

    /// <summary>Output tokens: from the API's usage when it gave them (<see cref="CountedFromUsage"/>), else content chunks; −1 when unknown.</summary>
    public int OutputTokens { get; init; } = -1;

    /// <summary>Prompt tokens from the API's usage; −1 when it gave none.</summary>
    public int InputTokens { get; init; } = -1;

    /// <summary>True when <see cref="OutputTokens"/> came from the API's usage, false when chunks were counted.</summary>
    public bool CountedFromUsage { get; init; }

    /// <summary>Streamed: the gaps between consecutive content chunks (inter-token latency).</summary>
    public IReadOnlyList<long> GapsNs { get; init; } = [];

    /// <summary>
    /// Time per output token, <c>(end-to-end − TTFT) / (output tokens − 1)</c>: streamed answers with
    /// two tokens or more; −1 otherwise.
    /// </summary>
    public long TimePerOutputTokenNs => Streamed && TimeToFirstTokenNs >= 0 && OutputTokens > 1
        ? (EndToEndNs - TimeToFirstTokenNs) / (OutputTokens - 1)
        : -1;

    /// <summary>Output tokens per second of this request, <c>output tokens / end-to-end</c>; −1 when unknown.</summary>
    public double OutputTokensPerSecond => OutputTokens >= 0 && EndToEndNs > 0 ? OutputTokens / (EndToEndNs / 1e9) : -1;
}
