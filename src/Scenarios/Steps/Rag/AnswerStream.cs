using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Probe.Scenarios.Steps.Rag.Apis;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>
/// Reads a streamed answer as server-sent events, framed as the specification says (the runtime's
/// <see cref="SseParser"/>: multi-line <c>data</c>, <c>event</c> names, comments, <c>id</c> and
/// <c>retry</c>, LF, CR and CRLF line ends), timing each content chunk as it is parsed.
/// </summary>
internal static class AnswerStream
{
    /// <exception cref="Probe.Scenarios.Http.BodyTooLargeException">The stream passed <paramref name="maxBytes"/>.</exception>
    public static async Task<StreamedAnswer> ReadAsync(Stream body, LlmApi api, TimeProvider time, long maxBytes, CancellationToken cancellation)
    {
        await using var counted = new CountingStream(body, maxBytes);
        SseParser<StreamPiece> parser = SseParser.Create(counted, (type, data) => api.Read(type, data) with { At = time.GetTimestamp() });
        var answer = new StreamedAnswer();
        var text = new StringBuilder();
        long last = -1;
        try
        {
            await foreach (SseItem<StreamPiece> item in parser.EnumerateAsync(cancellation).ConfigureAwait(false))
            {
                StreamPiece piece = item.Data;
                if (piece.Error is { } error)
                {
                    answer.Error = error;
                    break;
                }

                // Reasoning is output too (vLLM's benchmark counts it so): it times the first token and the gaps.
                bool content = piece.Text is { Length: > 0 };
                if (content || piece.Reasoning is { Length: > 0 })
                {
                    text.Append(piece.Text);
                    answer.Chunks++;
                    if (answer.FirstAt < 0)
                    {
                        answer.FirstAt = piece.At;
                    }
                    else
                    {
                        answer.Gaps.Add(time.GetElapsedTime(last, piece.At).Ticks * 100);
                    }

                    last = piece.At;
                }
                else if (piece.Text is not null)
                {
                    answer.SawText = true;
                }

                answer.InputTokens = piece.InputTokens >= 0 ? piece.InputTokens : answer.InputTokens;
                answer.OutputTokens = piece.OutputTokens >= 0 ? piece.OutputTokens : answer.OutputTokens;
                answer.Sources = piece.Sources ?? answer.Sources;
                answer.Ended |= piece.End;
                if (piece.Last)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException and not Probe.Scenarios.Http.BodyTooLargeException or HttpRequestException && !cancellation.IsCancellationRequested)
        {
            answer.BrokenOff = e.InnerException?.Message ?? e.Message;
        }

        answer.EndAt = time.GetTimestamp();
        answer.Text = text.ToString();
        answer.Bytes = counted.Count;
        return answer;
    }

    /// <summary>Counts the bytes read through it, and stops past <paramref name="max"/> (an endless stream would fill the memory).</summary>
    private sealed class CountingStream(Stream inner, long max) : Stream
    {
        public long Count { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(inner.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Counted(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Counted(int n)
        {
            Count += n;
            return Count > max ? throw new Probe.Scenarios.Http.BodyTooLargeException(max) : n;
        }
    }
}

/// <summary>What a streamed answer came to; timestamps from the step's TimeProvider, −1 when not reached.</summary>
internal sealed class StreamedAnswer
{
    public string Text { get; set; } = string.Empty;

    /// <summary>Token chunks: events with a non-empty piece of the answer or of the model's reasoning.</summary>
    public int Chunks { get; set; }

    /// <summary>An event carried a piece of the answer, if an empty one (a reply that says nothing still answered).</summary>
    public bool SawText { get; set; }

    public long FirstAt { get; set; } = -1;

    public long EndAt { get; set; } = -1;

    /// <summary>The gaps between consecutive content chunks, in nanoseconds.</summary>
    public List<long> Gaps { get; } = [];

    public int InputTokens { get; set; } = -1;

    /// <summary>From the API's usage; −1 when it gave none.</summary>
    public int OutputTokens { get; set; } = -1;

    public JsonElement? Sources { get; set; }

    /// <summary>The API's end marker came.</summary>
    public bool Ended { get; set; }

    /// <summary>An error event's message.</summary>
    public string? Error { get; set; }

    /// <summary>Why the stream broke off (the connection was lost mid-answer).</summary>
    public string? BrokenOff { get; set; }

    public long Bytes { get; set; }
}
