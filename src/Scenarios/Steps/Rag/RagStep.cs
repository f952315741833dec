using Probe.Scenarios.Http;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text;
using Probe.Engine.Core;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>
/// Asks golden question <c>iteration mod N</c> and scores the answer: every expected fact in it
/// (ignoring case and white space), every expected source among the cited ones. Reads retrieval and
/// generation time from <c>body.timings.retrieval_ms</c>/<c>generation_ms</c> or the
/// <c>X-Retrieval-Time-Ms</c>/<c>X-Generation-Time-Ms</c> headers, and tokens from
/// <c>body.usage.total_tokens</c>. Streaming (server-sent events) answers are timed token by token.
/// </summary>
internal sealed partial class RagStep
{
    private static readonly CheckSubject RetrievalBody = CheckParser.Parse("body.timings.retrieval_ms exists").Subject;
    private static readonly CheckSubject GenerationBody = CheckParser.Parse("body.timings.generation_ms exists").Subject;
    private static readonly CheckSubject RetrievalHeader = CheckParser.Parse("header.x-retrieval-time-ms exists").Subject;
    private static readonly CheckSubject GenerationHeader = CheckParser.Parse("header.x-generation-time-ms exists").Subject;
    private static readonly CheckSubject TokensBody = CheckParser.Parse("body.usage.total_tokens exists").Subject;

    private readonly RagStepSpec _spec;
    private readonly TargetClient _client;
    private readonly IReadOnlyList<GoldenQuestion> _questions;
    private readonly RagStepTally _tally;
    private readonly TimeProvider _time;
    private readonly Uri _url;
    private readonly CheckSubject _answer;
    private readonly CheckSubject _sources;

    private readonly StepChecks _checks;

    public RagStep(RagStepSpec spec, TargetClient client, IReadOnlyList<GoldenQuestion> questions, RagStepTally tally, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _checks = checks;
        _client = client;
        _questions = questions;
        _tally = tally;
        _time = time;
        _url = new Uri(client.Target.Url, spec.Path);
        _answer = CheckParser.Parse($"{spec.AnswerPath} exists").Subject;
        _sources = CheckParser.Parse($"{spec.SourcesPath} exists").Subject;
    }

    public async ValueTask<StepResult> RunAsync(long iteration, CancellationToken cancellation)
    {
        int index = QuestionFor(iteration);
        GoldenQuestion question = _questions[index];
        using var timeout = new CancellationTokenSource(_spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Content = new StringContent(JsonSerializer.Serialize(new Dictionary<string, string> { [_spec.QuestionField] = question.Question }), Encoding.UTF8, "application/json"),
            };
            if (_client.Authorization is { } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            long start = _time.GetTimestamp();
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            Reply reply = _spec.Stream
                ? await ReadStreamAsync(response, start, linked.Token).ConfigureAwait(false)
                : await ReadWholeAsync(response, start, linked.Token).ConfigureAwait(false);
            return Judge(index, question, (int)response.StatusCode, reply);
        }
        catch (Exception e) when (HttpFailures.Classify(e, timeout.IsCancellationRequested && !cancellation.IsCancellationRequested) is { } reason)
        {
            return StepResult.Fail(reason.Reason, $"question {index + 1}: {reason.Message}");
        }
    }

    private async Task<Reply> ReadWholeAsync(HttpResponseMessage response, long start, CancellationToken cancellation)
    {
        string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
        long end = _time.GetTimestamp();
        CheckInput input = Input(response, body, end - start);
        string? answer = CheckEvaluator.Read(_answer, input).Text;
        return new Reply(input, answer, SourcesOf(CheckEvaluator.Read(_sources, input)), Milliseconds(input, RetrievalBody, RetrievalHeader), Milliseconds(input, GenerationBody, GenerationHeader),
            (long?)CheckEvaluator.Read(TokensBody, input).Number ?? 0, -1, [], 0, Encoding.UTF8.GetByteCount(body));
    }

    /// <summary>Reads server-sent events: <c>data: {"token": …}</c> per token, any event with <c>sources</c>, and <c>data: [DONE]</c>.</summary>
    private async Task<Reply> ReadStreamAsync(HttpResponseMessage response, long start, CancellationToken cancellation)
    {
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = new StringBuilder();
        var gaps = new List<long>();
        IReadOnlyList<string> sources = [];
        long first = -1;
        long last = -1;
        long bytes = 0;
        long tokens = 0;
        string? final = null;
        while (await reader.ReadLineAsync(cancellation).ConfigureAwait(false) is { } line)
        {
            bytes += Encoding.UTF8.GetByteCount(line) + 1;
            if (!line.StartsWith("data:", StringComparison.Ordinal))
            {
                continue;
            }

            string data = line[5..].TrimStart();
            if (data == "[DONE]")
            {
                break;
            }

            long now = _time.GetTimestamp();
            using JsonDocument? doc = TryParse(data);
            string? token = doc is null ? data : TokenOf(doc.RootElement);
            if (token is not null)
            {
                answer.Append(token);
                tokens++;
                if (first < 0)
                {
                    first = now;
                }
                else
                {
                    gaps.Add(_time.ToNanoseconds(now - last));
                }

                last = now;
            }

            if (doc is not null && doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("sources", out JsonElement s))
            {
                sources = SourcesOf((null, s, null));
                final = data;
            }
        }

        var input = new CheckInput((int)response.StatusCode, _time.ToNanoseconds(_time.GetTimestamp() - start), bytes, final, name => Header(response, name));
        return new Reply(input, answer.ToString(), sources, -1, -1, tokens, first < 0 ? -1 : _time.ToNanoseconds(first - start), gaps, first < 0 ? 0 : _time.ToNanoseconds(last - first), bytes);
    }

    /// <summary>When the test runs as shards, this shard asks only questions i, i + N, i + 2N, … so the shards share the set out.</summary>
    public ShardIdentity Shard { get; init; } = ShardIdentity.Whole;

    private int QuestionFor(long iteration)
    {
        long own = LoadSharding.Share(_questions.Count, Shard);
        return own == 0 ? (int)(iteration % _questions.Count) : Shard.Index + (Shard.Count * (int)(iteration % own));
    }

    /// <summary>Told each streamed answer's time to first token (for a runner's histogram); null for nobody.</summary>
    public Action<TimeSpan>? Facts { get; init; }

    private StepResult Judge(int index, GoldenQuestion question, int status, Reply reply)
    {
        if (reply.TimeToFirstTokenNs > 0)
        {
            Facts?.Invoke(TimeSpan.FromTicks(reply.TimeToFirstTokenNs / 100));
        }

        string answer = Normalize(reply.Answer ?? string.Empty);
        string[] missingFacts = question.Facts.Where(f => !answer.Contains(Normalize(f), StringComparison.Ordinal)).ToArray();
        string[] missingSources = question.Sources.Where(s => !reply.Sources.Contains(s, StringComparer.OrdinalIgnoreCase)).ToArray();
        string? miss = missingFacts.Length + missingSources.Length == 0 ? null : string.Join("; ", new[]
        {
            missingFacts.Length > 0 ? $"answer lacks {string.Join(", ", missingFacts.Select(f => $"\"{f}\""))}" : null,
            missingSources.Length > 0 ? $"sources lack {string.Join(", ", missingSources)} (cited: {(reply.Sources.Count == 0 ? "none" : string.Join(", ", reply.Sources))})" : null,
        }.Where(x => x is not null));
        bool answered = status is >= 200 and < 300 && reply.Answer is not null;
        _tally.Record(index, question.Question, new RagScore(
            answered && miss is null,
            question.Facts.Count - missingFacts.Length,
            question.Facts.Count,
            question.Sources.Count - missingSources.Length,
            question.Sources.Count,
            miss,
            reply.Tokens,
            reply.TimeToFirstTokenNs,
            reply.GapsNs,
            reply.StreamNs,
            reply.RetrievalNs,
            reply.GenerationNs));

        if (_checks.FirstFailure(reply.Input) is { } failure)
        {
            return StepResult.Fail(FailureReason.Check, $"question {index + 1}: {failure}", status, reply.Bytes);
        }

        return status >= 400 ? StepResult.Fail(FailureReason.Status, $"question {index + 1}: HTTP {status}", status, reply.Bytes)
            : !answered ? StepResult.Fail(FailureReason.Body, $"question {index + 1}: no answer at {_spec.AnswerPath}", status, reply.Bytes)
            : miss is not null ? StepResult.Fail(FailureReason.Check, $"question {index + 1}: {miss}", status, reply.Bytes)
            : StepResult.Ok(status, reply.Bytes);
    }

    private CheckInput Input(HttpResponseMessage response, string body, long ticks) =>
        new((int)response.StatusCode, _time.ToNanoseconds(ticks), Encoding.UTF8.GetByteCount(body), body, name => Header(response, name));

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var v) || response.Content.Headers.TryGetValues(name, out v) ? string.Join(", ", v) : null;

    private static long Milliseconds(CheckInput input, CheckSubject body, CheckSubject header)
    {
        double? ms = CheckEvaluator.Read(body, input).Number
            ?? (double.TryParse(CheckEvaluator.Read(header, input).Text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double h) ? h : null);
        return ms is { } m ? (long)(m * 1e6) : -1;
    }

    /// <summary>Cited sources: an array of strings, or of objects with an id/source/name, or a comma-separated string.</summary>
    private static IReadOnlyList<string> SourcesOf((string? Text, JsonElement? Json, double? Number) value) => value.Json switch
    {
        { ValueKind: JsonValueKind.Array } a => a.EnumerateArray().Select(e => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString(),
            JsonValueKind.Object => new[] { "id", "source", "name", "document" }.Select(k => e.TryGetProperty(k, out JsonElement p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null).FirstOrDefault(x => x is not null),
            _ => null,
        }).OfType<string>().ToArray(),
        { ValueKind: JsonValueKind.String } s => s.GetString()!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
        _ => value.Text?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [],
    };

    private static string? TokenOf(JsonElement e) =>
        e.ValueKind == JsonValueKind.Object
            ? new[] { "token", "content", "text", "delta" }.Select(k => e.TryGetProperty(k, out JsonElement t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null).FirstOrDefault(x => x is not null)
            : null;

    private static JsonDocument? TryParse(string data)
    {
        try
        {
            return JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Normalize(string text) => Spaces().Replace(text.ToLowerInvariant(), " ").Trim();


    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    private sealed record Reply(CheckInput Input, string? Answer, IReadOnlyList<string> Sources, long RetrievalNs, long GenerationNs, long Tokens, long TimeToFirstTokenNs, IReadOnlyList<long> GapsNs, long StreamNs, long Bytes);
}
