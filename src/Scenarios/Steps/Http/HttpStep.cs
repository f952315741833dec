using Probe.Scenarios.Http.Http2;
using Probe.Engine.Results;
using Probe.Scenarios.Http.Lean;
using Probe.Scenarios.Http;
using System.Net.Http.Headers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Http;

/// <summary>
/// Runs one <see cref="HttpStepSpec"/>: sends the request (secrets resolved once, at bind time),
/// follows redirects if asked, reads the body only when a check needs it (otherwise it is streamed
/// and counted), times the phases, and turns checks and errors into a <see cref="StepResult"/>.
/// </summary>
internal sealed class HttpStep
{
    private const int MaxRedirects = 10;

    private readonly HttpStepSpec _spec;
    private readonly TargetClient _client;
    private readonly TimeProvider _time;
    private readonly Uri _url;
    private readonly HttpMethod _method;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly Dictionary<string, string> _query;
    private readonly byte[]? _body;
    private readonly string? _contentType;
    private readonly bool _readBody;
    private readonly bool _readHeaders;
    private readonly bool _templated;
    private readonly LeanHttpClient? _lean;
    private readonly byte[]? _prepared;
    private readonly LeanHttp2Client? _lean2;
    private readonly byte[]? _prepared2;
    private readonly LeanReadOptions _leanRead;
    private readonly long _timeoutTicks;
    private readonly Request _request;

    private readonly StepChecks _checks;
    private readonly bool _statusOnly;

    public HttpStep(HttpStepSpec spec, TargetClient client, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _checks = checks;
        _client = client;
        _time = time;
        _method = new HttpMethod(spec.Method);
        // Secrets are resolved here, before variables are filled: a value an answer gave is never read for ${env:…}.
        _query = spec.Query.ToDictionary(q => q.Key, q => Secrets.Resolve(q.Value));
        _url = BuildUrl(client.Target.Url, spec.Path, _query);
        _headers = client.WithCredentials(spec.Headers.Select(h => KeyValuePair.Create(h.Key, Secrets.Resolve(h.Value))));
        (_body, _contentType) = spec.Json is { } json
            ? (Encoding.UTF8.GetBytes(Secrets.Resolve(json.GetRawText())), "application/json")
            : spec.Text is { } text ? (Encoding.UTF8.GetBytes(Secrets.Resolve(text)), "text/plain; charset=utf-8") : (null, null);
        bool Reads(Func<SubjectKind, bool> kind) => spec.Checks.Any(c => kind(c.Subject.Kind)) || spec.Extract.Values.Any(s => kind(s.Kind));
        _readBody = Reads(k => k == SubjectKind.Body);
        _readHeaders = Reads(k => k == SubjectKind.Header);
        _statusOnly = !Reads(k => k != SubjectKind.Status);
        _templated = Variables.Referenced(spec).Any() || Variables.UsesBuiltIns(spec);
        // Plain HTTP takes the lean path (a redirect to follow goes on through HttpClient); its request bytes are made once here.
        _lean = client.Lean;
        _prepared = _lean is null || _templated ? null : _lean.Prepare(spec.Method, _url.PathAndQuery, _headers, _body, _contentType);
        _lean2 = client.Lean2;
        _prepared2 = _lean2 is null || _templated ? null : _lean2.Prepare(spec.Method, _url.PathAndQuery, _headers, _body, _contentType);
        _leanRead = new LeanReadOptions(_readBody, _readHeaders, spec.MaxBodyBytes, Head: spec.Method == "HEAD");
        _timeoutTicks = StepDeadline.Ticks(time, spec.Timeout);
        _request = new Request(_url, _headers, _body);
    }

    public string Name => _spec.Name;

    /// <summary>
    /// Sends the request (<see cref="HttpStepSpec.Repeat"/> times) and checks the last answer. In a
    /// sequence, <paramref name="variables"/> fills <c>${vars.NAME}</c> and receives what this step extracts.
    /// <paramref name="iteration"/>: the virtual user and its iteration (connections per iteration, HTTP/2 stream groups).
    /// </summary>
    public ValueTask<StepResult> RunAsync(Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration = default) =>
        _spec.Repeat == 1 && _lean is not null && !(_lean2 is not null && _client.UsesLeanHttp2) && !_client.ServerChoseHttp2
            ? RunLean(variables, cancellation, iteration)
            : RunAnyAsync(variables, cancellation, iteration);

    /// <summary>
    /// The common case, one request on the lean HTTP/1.1 path, with the smallest state machine that can
    /// wait for it: what runs before and after the wait (and every rare path) is in methods of its own,
    /// so a request does not pay for zeroing the locals of all of them twice.
    /// </summary>
    private ValueTask<StepResult> RunLean(Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration)
    {
        long started = _time.GetTimestamp();
        ValueTask<LeanResponse> pending;
        try
        {
            pending = _lean!.SendAsync(_prepared ?? PrepareLean(variables, iteration), _leanRead, started + _timeoutTicks, cancellation, iteration);
        }
        catch (Http2ChosenException)
        {
            return new ValueTask<StepResult>(OverHttp2Async(variables, cancellation, iteration));
        }
        catch (Exception e)
        {
            return new ValueTask<StepResult>(Failed(e, 0, cancellation));
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return AwaitLeanAsync(pending, started, variables, cancellation, iteration);
        }

        // A pooled ValueTask gives its result once.
        LeanResponse response = pending.Result;
        return IsRedirect(response)
            ? new ValueTask<StepResult>(FollowAsync(response, started, variables, cancellation, iteration))
            : new ValueTask<StepResult>(FinishLean(response, started, variables));
    }

    /// <remarks>The rare paths are awaited as <see cref="Task{TResult}"/>: an awaited <see cref="ValueTask{TResult}"/> of a result this large adds a kilobyte of locals to zero.</remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> AwaitLeanAsync(ValueTask<LeanResponse> pending, long started, Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration)
    {
        LeanResponse response;
        try
        {
            response = await pending.ConfigureAwait(false);
        }
        catch (Http2ChosenException)
        {
            return await OverHttp2Async(variables, cancellation, iteration).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Failed(e, 0, cancellation);
        }

        return IsRedirect(response)
            ? await FollowAsync(response, started, variables, cancellation, iteration).ConfigureAwait(false)
            : FinishLean(response, started, variables);
    }

    private bool IsRedirect(in LeanResponse response) => _spec.FollowRedirects && response.Status is >= 300 and < 400 && response.Location is not null;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private byte[] PrepareLean(Dictionary<string, string>? variables, IterationKey iteration)
    {
        Request request = Fill(variables ?? [], iteration);
        return _lean!.Prepare(_spec.Method, request.Url.PathAndQuery, request.Headers, request.Body, _contentType);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private StepResult FinishLean(in LeanResponse response, long started, Dictionary<string, string>? variables)
    {
        Answer answer = LeanAnswer(response, started);
        return Finish(answer, answer.Bytes, variables);
    }

    /// <summary>A lean answer that redirects, followed through HttpClient.</summary>
    private async Task<StepResult> FollowAsync(LeanResponse response, long started, Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration)
    {
        try
        {
            Request request = _templated ? Fill(variables ?? [], iteration) : _request;
            Answer answer = await SendViaHttpClientAsync(request, new Uri(request.Url, response.Location), RedirectMethod(response.Status, _method), started + response.SendHeld, 1, Opened(response.Connect), started + _timeoutTicks, iteration.Copy, cancellation).ConfigureAwait(false);
            return Finish(answer, answer.Bytes, variables);
        }
        catch (Exception e)
        {
            return Failed(e, 0, cancellation);
        }
    }

    /// <summary>Any request: repeated, over HTTP/2 or HttpClient, or on the lean path.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StepResult> RunAnyAsync(Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration)
    {
        // The step's timeout is a deadline: the lean client enforces it without a timer per request, HttpClient sends get a token source each.
        long started = _time.GetTimestamp();
        long deadline = started + _timeoutTicks;
        long bytes = 0;
        try
        {
            Request request = _templated ? Fill(variables ?? [], iteration) : _request;
            Answer answer = default;
            for (int i = 0; i < _spec.Repeat; i++)
            {
                long start = i == 0 ? started : _time.GetTimestamp();
                LeanResponse response;
                if (_lean2 is not null && _client.UsesLeanHttp2)
                {
                    byte[] block = _prepared2 ?? _lean2.Prepare(_spec.Method, request.Url.PathAndQuery, request.Headers, request.Body, _contentType);
                    response = await _lean2.SendAsync(block, request.Body, _leanRead, deadline, cancellation, iteration.Copy).ConfigureAwait(false);
                }
                else if (_lean is null || _client.ServerChoseHttp2)
                {
                    answer = await SendViaHttpClientAsync(request, request.Url, _method, start, 0, PhaseTimings.None, deadline, iteration.Copy, cancellation).ConfigureAwait(false);
                    bytes += answer.Bytes;
                    continue;
                }
                else
                {
                    byte[] prepared = _prepared ?? _lean.Prepare(_spec.Method, request.Url.PathAndQuery, request.Headers, request.Body, _contentType);
                    response = await _lean.SendAsync(prepared, _leanRead, deadline, cancellation, iteration).ConfigureAwait(false);
                }

                answer = IsRedirect(response)
                    ? await SendViaHttpClientAsync(request, new Uri(request.Url, response.Location), RedirectMethod(response.Status, _method), start, 1, Opened(response.Connect), deadline, iteration.Copy, cancellation).ConfigureAwait(false)
                    : LeanAnswer(response, start);

                bytes += answer.Bytes;
            }

            return Finish(answer, bytes, variables);
        }
        catch (Http2ChosenException)
        {
            return await OverHttp2Async(variables, cancellation, iteration).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return Failed(e, bytes, cancellation);
        }
    }

    /// <summary>Checks the last answer and extracts what the step extracts.</summary>
    private StepResult Finish(in Answer answer, long bytes, Dictionary<string, string>? variables)
    {
        // Checks on the status alone (`status == 200`, the common case) share one input per status: nothing allocated per response.
        CheckInput input = _statusOnly ? CheckInput.OfStatus(answer.Status) : CheckInput.WithHeaders(answer.Status, answer.DurationNs, answer.Bytes, answer.Body, answer.Headers);
        StepResult result = Judge(answer, input, bytes);
        return result.IsOk && _spec.Extract.Count > 0 ? ExtractInto(variables, answer.Status, input, result) : result;
    }

    /// <summary>
    /// What a failed send comes to: the failure it was (a cancellation the run did not ask for is the
    /// timeout: only the run and the deadline cancel a send). Anything else is rethrown: the iteration
    /// fails as internal.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StepResult Failed(Exception e, long bytes, CancellationToken cancellation)
    {
        if (e is KeyNotFoundException)
        {
            return StepResult.Fail(FailureReason.Internal, e.Message);
        }

        if (HttpFailures.Classify(e, timedOut: !cancellation.IsCancellationRequested) is { } reason)
        {
            return StepResult.Fail(reason.Reason, reason.Message, sizeBytes: bytes);
        }

        ExceptionDispatchInfo.Throw(e);
        return default;
    }

    /// <summary>Once per target: the https server picked h2 on the lean path's first connection, so HttpClient serves from now on.</summary>
    private async Task<StepResult> OverHttp2Async(Dictionary<string, string>? variables, CancellationToken cancellation, IterationKey iteration)
    {
        _client.UseHttp2();
        return await RunAsync(variables, cancellation, iteration).ConfigureAwait(false);
    }

    private Answer LeanAnswer(in LeanResponse response, long start)
    {
        long end = _time.GetTimestamp();
        start += response.SendHeld; // the request waited in the client, not at the target
        PhaseTimings phases = Opened(response.Connect) with
        {
            TimeToFirstByteNs = _time.ToNanoseconds(response.HeadersAt - start),
            TransferNs = _time.ToNanoseconds(end - response.HeadersAt),
        };
        return new Answer(response.Status, response.BodyBytes, response.Body, response.Headers, _time.ToNanoseconds(end - start), phases);
    }

    private static HttpMethod RedirectMethod(int status, HttpMethod method) =>
        status is 307 or 308 ? method : (method == HttpMethod.Head ? HttpMethod.Head : HttpMethod.Get);

    /// <summary>
    /// The connection phases of a hop: DNS, connect and TLS where it opened a connection (−1 where it reused one).
    /// </summary>
    private static PhaseTimings Opened(ConnectTiming connect) =>
        connect == default ? PhaseTimings.None : new(connect.DnsNs, connect.ConnectNs, connect.TlsNs, -1, -1);

    /// <summary>
    /// A redirected step's phases: each connection phase summed over the hops that went through it (a hop that
    /// opened a connection paid for it within the step's latency), first byte and transfer as the last hop had them.
    /// </summary>
    private static PhaseTimings Joined(in PhaseTimings earlier, in PhaseTimings last) =>
        new(Sum(earlier.DnsNs, last.DnsNs), Sum(earlier.ConnectNs, last.ConnectNs), Sum(earlier.TlsNs, last.TlsNs), last.TimeToFirstByteNs, last.TransferNs);

    private static long Sum(long a, long b) => a < 0 ? b : b < 0 ? a : a + b;

    /// <summary>The connection phases of a request sent through HttpClient: what its connect callback and handshake recorded.</summary>
    private PhaseTimings Opened(HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(TargetClient.ConnectTimingKey, out ConnectTiming connect) || connect == default)
        {
            return PhaseTimings.None;
        }

        bool handshake = request.Options.TryGetValue(TargetClient.HandshakeDoneKey, out long handshakeDone);
        return Opened(connect with { TlsNs = handshake ? _time.ToNanoseconds(handshakeDone - connect.ConnectedAt) : -1 });
    }

    /// <summary>Sends through HttpClient from <paramref name="url"/> on, following redirects; <paramref name="earlier"/>: the connection phases of the hops before it (a lean first hop's).</summary>
    private async ValueTask<Answer> SendViaHttpClientAsync(Request template, Uri url, HttpMethod method, long start, int hops, PhaseTimings earlier, long deadline, int copy, CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(StepDeadline.Left(_time, deadline), _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        List<Uri>? visited = hops > 0 ? [template.Url] : null;
        for (int hop = hops; ; hop++)
        {
            using HttpRequestMessage request = NewRequest(template, method, url, withBody: method == _method);
            using HttpResponseMessage response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token, copy).ConfigureAwait(false);
            long headersAt = _time.GetTimestamp();
            int status = (int)response.StatusCode;
            if (_spec.FollowRedirects && status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                (visited ??= []).Add(url);
                url = location.IsAbsoluteUri ? location : new Uri(url, location);
                method = RedirectMethod(status, method);
                if (visited.Contains(url) || hop + 1 > MaxRedirects)
                {
                    string chain = string.Join(" → ", visited.Append(url).Select(u => u.PathAndQuery));
                    throw new RedirectsException(visited.Contains(url) ? $"redirect loop: {chain}" : $"more than {MaxRedirects} redirects: {chain}");
                }

                earlier = Joined(earlier, Opened(request));
                continue;
            }

            (long size, string? text) = await LimitedBody.ReadAsync(response.Content, _spec.MaxBodyBytes, _readBody, linked.Token).ConfigureAwait(false);
            long end = _time.GetTimestamp();
            PhaseTimings phases = Joined(earlier, Opened(request) with { TimeToFirstByteNs = _time.ToNanoseconds(headersAt - start), TransferNs = _time.ToNanoseconds(end - headersAt) });
            // Headers are copied only when a check or an extract reads them: this runs per request.
            Dictionary<string, string>? headers = _readHeaders ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : null;
            if (headers is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> h in response.Headers.Concat(response.Content.Headers))
                {
                    headers[h.Key] = string.Join(", ", h.Value);
                }
            }

            return new Answer(status, size, text, headers, _time.ToNanoseconds(end - start), phases);
        }
    }

    private HttpRequestMessage NewRequest(Request template, HttpMethod method, Uri url, bool withBody)
    {
        var request = new HttpRequestMessage(method, url)
        {
            Version = _client.RequestVersion,
            VersionPolicy = _client.VersionPolicy,
        };
        if (_client.Target.Connections.NewConnectionPerIteration)
        {
            // Off the lean path (a redirect hop, simulated network conditions) each such request has a connection of its own.
            request.Headers.ConnectionClose = true;
        }

        if (withBody && template.Body is not null)
        {
            request.Content = new ByteArrayContent(template.Body);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(_contentType!);
        }

        foreach (KeyValuePair<string, string> h in template.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(h.Key, h.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
        }

        return request;
    }

    /// <summary>Keeps the body as text when a check reads it; otherwise streams and counts it. Both stop at max_body.</summary>
    private StepResult Judge(in Answer answer, CheckInput input, long bytes)
    {
        if (_checks.FirstFailure(input) is { } failure)
        {
            return StepResult.Fail(FailureReason.Check, failure, answer.Status, bytes) with { Phases = answer.Phases };
        }

        if (_spec.Checks.Count == 0 && answer.Status >= 400)
        {
            return StepResult.Fail(FailureReason.Status, $"HTTP {answer.Status}", answer.Status, bytes) with { Phases = answer.Phases };
        }

        return StepResult.Ok(answer.Status, bytes) with { Phases = answer.Phases };
    }

    /// <summary>The request with this iteration's variables filled in (secrets were resolved at bind time).</summary>
    private Request Fill(IReadOnlyDictionary<string, string> variables, IterationKey iteration)
    {
        string Filled(string text) => Variables.FillBuiltIns(Variables.Fill(text, variables), iteration.Copy, iteration.Iteration);
        var query = _query.ToDictionary(q => q.Key, q => Filled(q.Value));
        Uri url = BuildUrl(_client.Target.Url, Filled(_spec.Path), query);
        var headers = _headers.Select(h => KeyValuePair.Create(h.Key, Filled(h.Value))).ToArray();
        RequestHeaders.CheckFilled(headers);
        // In a JSON body every variable sits inside a string (the suite is JSON): its value is escaped there, so an
        // answer's quote or backslash cannot end the string and add fields of its own.
        byte[]? body = _body is null ? null : Encoding.UTF8.GetBytes(_spec.Json is null
            ? Filled(Encoding.UTF8.GetString(_body))
            : Variables.FillBuiltIns(Variables.Fill(Encoding.UTF8.GetString(_body), variables, JsonString), iteration.Copy, iteration.Iteration));
        return new Request(url, headers, body);
    }

    private StepResult ExtractInto(Dictionary<string, string>? variables, int status, CheckInput input, StepResult result)
    {
        foreach ((string name, CheckSubject subject) in _spec.Extract)
        {
            string? value = subject.Kind == SubjectKind.Status ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : CheckEvaluator.Read(subject, input).Text;
            if (value is null)
            {
                return StepResult.Fail(FailureReason.Check, $"extract '{name}': {subject} is missing", status, result.SizeBytes) with { Phases = result.Phases };
            }

            if (variables is not null)
            {
                variables[name] = value;
            }
        }

        return result;
    }


    /// <summary>Text as the inside of a JSON string: quotes, backslashes and control characters escaped, the rest as it is.</summary>
    private static string JsonString(string text) =>
        System.Text.Json.JsonEncodedText.Encode(text, System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();

    private static Uri BuildUrl(Uri baseUrl, string path, IReadOnlyDictionary<string, string> query)
    {
        var builder = new UriBuilder(new Uri(baseUrl, path));
        if (query.Count > 0)
        {
            builder.Query = string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value)}"));
        }

        return builder.Uri;
    }

    private sealed record Request(Uri Url, KeyValuePair<string, string>[] Headers, byte[]? Body);

    private readonly record struct Answer(int Status, long Bytes, string? Body, Dictionary<string, string>? Headers, long DurationNs, PhaseTimings Phases);
}
