using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Http;
using Probe.Scenarios.Steps.Rag.Apis;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>
/// Asks golden question <c>iteration mod N</c> in the step's API and scores the answer: every expected
/// fact in it (ignoring case and white space), every expected source among the cited ones. Every
/// answer's token figures go with its result (<see cref="TokenTimings"/>); retrieval and generation
/// time come from <c>body.timings.retrieval_ms</c>/<c>generation_ms</c> or the
/// <c>X-Retrieval-Time-Ms</c>/<c>X-Generation-Time-Ms</c> headers.
/// </summary>
internal sealed partial class RagStep
{
    private static readonly CheckSubject RetrievalBody = CheckParser.Parse("body.timings.retrieval_ms exists").Subject;
    private static readonly CheckSubject GenerationBody = CheckParser.Parse("body.timings.generation_ms exists").Subject;
    private static readonly CheckSubject RetrievalHeader = CheckParser.Parse("header.x-retrieval-time-ms exists").Subject;
    private static readonly CheckSubject GenerationHeader = CheckParser.Parse("header.x-generation-time-ms exists").Subject;
    private static readonly CheckSubject ErrorMessage = CheckParser.Parse("body.error.message exists").Subject;

    private readonly RagStepSpec _spec;
    private readonly TargetClient _client;
    private readonly IReadOnlyList<GoldenQuestion> _questions;
    private readonly RagStepTally _tally;
    private readonly TimeProvider _time;
    private readonly Uri _url;
    private readonly CheckSubject _answer;
    private readonly CheckSubject _sources;
    private readonly LlmApi _api;
    private readonly byte[][] _bodies;
    private readonly KeyValuePair<string, string>[] _headers;
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
        _api = LlmApi.For(spec, spec.Llm.BodyTemplate is { } template ? Secrets.Resolve(template) : null);
        _bodies = questions.Select(q => _api.Body(q.Question, spec.Stream)).ToArray(); // the same bytes every time a question is asked

        // The API's headers, then the step's (which win), then the target's credentials unless the step sets Authorization.
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach ((string name, string value) in _api.Headers)
        {
            headers[name] = value;
        }

        foreach ((string name, string value) in spec.Headers)
        {
            headers[name] = Secrets.Resolve(value);
        }

        _headers = client.WithCredentials(headers);
    }

    /// <summary>When the test runs as shards, this shard asks only questions i, i + N, i + 2N, … so the shards share the set out.</summary>
    public ShardIdentity Shard { get; init; } = ShardIdentity.Whole;

    /// <summary>Told each answer's token figures (for a runner's histograms); null for nobody.</summary>
    public Action<TokenTimings>? Facts { get; init; }

    public async ValueTask<StepResult> RunAsync(long iteration, CancellationToken cancellation)
    {
        int index = QuestionFor(iteration);
        GoldenQuestion question = _questions[index];
        using var timeout = new CancellationTokenSource(_spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        long start = _time.GetTimestamp();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url)
            {
                Content = new ByteArrayContent(_bodies[index]),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            if (_spec.Stream)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            }

            foreach ((string name, string value) in _headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            start = _time.GetTimestamp();
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            int status = (int)response.StatusCode;
            Reply reply = _spec.Stream && status is >= 200 and < 300
                ? await ReadStreamAsync(response, start, linked.Token).ConfigureAwait(false)
                : await ReadWholeAsync(response, start, linked.Token).ConfigureAwait(false);
            return Judge(index, question, status, reply);
        }
        catch (Exception e) when (HttpFailures.Classify(e, timeout.IsCancellationRequested && !cancellation.IsCancellationRequested) is { } reason)
        {
            var failed = new TokenTimings { Ok = false, Streamed = _spec.Stream, EndToEndNs = _time.ToNanoseconds(_time.GetTimestamp() - start) };
            Facts?.Invoke(failed);
            return StepResult.Fail(reason.Reason, $"question {index + 1}: {reason.Message}") with { Tokens = failed };
        }
    }

    private async Task<Reply> ReadWholeAsync(HttpResponseMessage response, long start, CancellationToken cancellation)
    {
        string body = (await LimitedBody.ReadAsync(response.Content, _spec.MaxBodyBytes, keep: true, cancellation).ConfigureAwait(false)).Text!;
        long end = _time.GetTimestamp();
        var input = new CheckInput((int)response.StatusCode, _time.ToNanoseconds(end - start), Encoding.UTF8.GetByteCount(body), body, name => Header(response, name));
        string? answer = _api.AnswerOf(input, _answer);
        (int inputTokens, int outputTokens) = input.Json is { } json ? _api.UsageOf(json) : (-1, -1);
        long e2e = _time.ToNanoseconds(end - start);
        var tokens = new TokenTimings
        {
            Ok = (int)response.StatusCode is >= 200 and < 300 && answer is not null,
            Streamed = false,
            TimeToFirstTokenNs = e2e, // unstreamed: the first token arrives with the last
            EndToEndNs = e2e,
            OutputTokens = outputTokens,
            InputTokens = inputTokens,
            CountedFromUsage = outputTokens >= 0,
        };
        string? problem = (int)response.StatusCode >= 400 && CheckEvaluator.Read(ErrorMessage, input).Text is { } message ? Shorten(message) : null;
        return new Reply(input, answer, SourcesOf(CheckEvaluator.Read(_sources, input)), Milliseconds(input, RetrievalBody, RetrievalHeader), Milliseconds(input, GenerationBody, GenerationHeader), tokens, problem, FailureReason.None);
    }

    private async Task<Reply> ReadStreamAsync(HttpResponseMessage response, long start, CancellationToken cancellation)
    {
        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        StreamedAnswer a = await AnswerStream.ReadAsync(stream, _api, _time, _spec.MaxBodyBytes, cancellation).ConfigureAwait(false);
        string? broken = a.Error is { } error ? $"error event after {a.Chunks} chunks: {Shorten(error)}"
            : a.BrokenOff is { } why ? $"the stream broke off after {a.Chunks} chunks: {why}"
            : _api.HasEndMarker && !a.Ended ? $"the stream ended after {a.Chunks} chunks without the API's end marker"
            : null;
        bool fromUsage = a.OutputTokens >= 0;
        var tokens = new TokenTimings
        {
            Ok = broken is null,
            Streamed = true,
            TimeToFirstTokenNs = a.FirstAt < 0 ? -1 : _time.ToNanoseconds(a.FirstAt - start),
            EndToEndNs = _time.ToNanoseconds(a.EndAt - start),
            OutputTokens = fromUsage ? a.OutputTokens : a.Chunks,
            InputTokens = a.InputTokens,
            CountedFromUsage = fromUsage,
            GapsNs = a.Gaps,
        };
        var input = new CheckInput((int)response.StatusCode, tokens.EndToEndNs, a.Bytes, a.Sources?.GetRawText(), name => Header(response, name));
        IReadOnlyList<string> sources = a.Sources is { } s ? SourcesOf((null, s, null)) : [];
        bool answered = a.Chunks > 0 || a.SawText;
        return new Reply(input, answered ? a.Text : null, sources, -1, -1, tokens, broken, broken is null ? FailureReason.None : FailureReason.Stream);
    }

    private int QuestionFor(long iteration)
    {
        long own = LoadSharding.Share(_questions.Count, Shard);
        return own == 0 ? (int)(iteration % _questions.Count) : Shard.Index + (Shard.Count * (int)(iteration % own));
    }

    private StepResult Judge(int index, GoldenQuestion question, int status, Reply reply)
    {
        Facts?.Invoke(reply.Tokens);
        string answer = Normalize(reply.Answer ?? string.Empty);
        string[] missingFacts = question.Facts.Where(f => !answer.Contains(Normalize(f), StringComparison.Ordinal)).ToArray();
        string[] missingSources = question.Sources.Where(s => !reply.Sources.Contains(s, StringComparer.OrdinalIgnoreCase)).ToArray();
        string? miss = missingFacts.Length + missingSources.Length == 0 ? null : string.Join("; ", new[]
        {
            missingFacts.Length > 0 ? $"answer lacks {string.Join(", ", missingFacts.Select(f => $"\"{f}\""))}" : null,
            missingSources.Length > 0 ? $"sources lack {string.Join(", ", missingSources)} (cited: {(reply.Sources.Count == 0 ? "none" : string.Join(", ", reply.Sources))})" : null,
        }.Where(x => x is not null));
        bool answered = status is >= 200 and < 300 && reply.Answer is not null && reply.StreamFailure == FailureReason.None;
        _tally.Record(index, question.Question, new RagScore(
            answered && miss is null,
            question.Facts.Count - missingFacts.Length,
            question.Facts.Count,
            question.Sources.Count - missingSources.Length,
            question.Sources.Count,
            miss,
            reply.RetrievalNs,
            reply.GenerationNs));

        long bytes = reply.Input.SizeBytes;
        StepResult result = reply.StreamFailure != FailureReason.None ? StepResult.Fail(reply.StreamFailure, $"question {index + 1}: {reply.Problem}", status, bytes)
            : _checks.FirstFailure(reply.Input) is { } failure ? StepResult.Fail(FailureReason.Check, $"question {index + 1}: {failure}", status, bytes)
            : status >= 400 ? StepResult.Fail(FailureReason.Status, $"question {index + 1}: HTTP {status}{(reply.Problem is { } p ? $": {p}" : string.Empty)}", status, bytes)
            : !answered ? StepResult.Fail(FailureReason.Body, $"question {index + 1}: no answer at {_spec.AnswerPath}", status, bytes)
            : miss is not null ? StepResult.Fail(FailureReason.Check, $"question {index + 1}: {miss}", status, bytes)
            : StepResult.Ok(status, bytes);
        return result with { Tokens = reply.Tokens };
    }

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

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    private static string Normalize(string text) => Spaces().Replace(text.ToLowerInvariant(), " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();

    private sealed record Reply(CheckInput Input, string? Answer, IReadOnlyList<string> Sources, long RetrievalNs, long GenerationNs, TokenTimings Tokens, string? Problem, FailureReason StreamFailure);
}
