using System.Text.Json;
using Probe.Runner.Results;

namespace Probe.Runner.Stores;

/// <summary>
/// Results a store refused for their content, kept as JSON lines in <c>dead-letter.jsonl</c> beside the
/// spool (when, why, and the whole result) instead of being retried for ever: one bad answer from a
/// target must not stop every other result from being stored.
/// </summary>
internal sealed class DeadLetters(string folder, TimeProvider time)
{
    private readonly Lock _lock = new();

    public string File { get; } = Path.Combine(folder, "dead-letter.jsonl");

    /// <summary>Appends the result with the store's reason and flushes it to disk.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public void Add(SyntheticResult result, string error)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("quarantined_at", time.GetUtcNow());
            w.WriteString("error", error);
            w.WritePropertyName("result");
            SyntheticResultJson.Write(w, result);
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        lock (_lock)
        {
            using var file = new FileStream(File, FileMode.Append, FileAccess.Write, FileShare.Read);
            file.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            file.Flush(flushToDisk: true);
        }
    }
}
