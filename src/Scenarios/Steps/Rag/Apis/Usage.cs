using System.Text.Json;

namespace Probe.Scenarios.Steps.Rag.Apis;

/// <summary>A usage object, as OpenAI (<c>prompt_tokens</c>, <c>completion_tokens</c>) or Anthropic (<c>input_tokens</c>, <c>output_tokens</c>) write it.</summary>
internal static class Usage
{
    public static (int Input, int Output) Read(JsonElement usage) =>
        usage.ValueKind != JsonValueKind.Object ? (-1, -1)
            : (Count(usage, "prompt_tokens", "input_tokens"), Count(usage, "completion_tokens", "output_tokens"));

    private static int Count(JsonElement usage, string openAi, string anthropic) =>
        (usage.TryGetProperty(openAi, out JsonElement n) || usage.TryGetProperty(anthropic, out n)) && n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out int v) && v >= 0 ? v : -1;
}
