using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Http;

/// <summary>
/// HTTP/1.1 message framing as RFC 9112 section 6 says, on the lean client (plain HTTP), against a
/// server that sends exactly the bytes given: healthy answers that bend no rule must pass (they used
/// to time out or fail), broken framing must fail as protocol, a lost connection as reset, a redirect
/// loop as redirects — never a silently cut body counted as a success.
/// </summary>
public class FramingTests
{
    private const string Ok = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    public static TheoryData<string, string, string, RawEnd, string?> Cases => new()
    {
        // name, method, answer, then, failure reason (null: both iterations pass)
        { "HEAD: Content-Length but no body, kept alive", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", RawEnd.KeepOpen, null },
        { "HEAD from an HTTP/1.0 server that closes", "HEAD", "HTTP/1.0 200 OK\r\nContent-Length: 1200\r\nContent-Type: text/html\r\n\r\n", RawEnd.Close, null },
        { "204 with a Content-Length", "GET", "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", RawEnd.KeepOpen, null },
        { "304 without a body", "GET", "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n", RawEnd.KeepOpen, null },
        { "interim 100 and 103 before the answer", "GET", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + Ok, RawEnd.KeepOpen, null },
        { "the same Content-Length twice", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", RawEnd.KeepOpen, null },
        { "chunked wins over Content-Length", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", RawEnd.KeepOpen, null },
        { "bare LF line ends (RFC 9112 section 2.2)", "GET", "HTTP/1.1 200 OK\nContent-Length: 5\n\nhello", RawEnd.KeepOpen, null },
        { "bare LF after interim answers and in chunks", "GET", "HTTP/1.1 103 Early Hints\nLink: </a.css>\n\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\n\n5;x=1\nhello\n0\nX-Trailer: 1\n\n", RawEnd.KeepOpen, null },
        { "a chunk longer than its size", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", RawEnd.Close, "protocol" },
        { "Content-Length that is not a number", "GET", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello", RawEnd.Close, "protocol" },
        { "two Content-Lengths that disagree", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", RawEnd.KeepOpen, "protocol" },
        { "a Content-Length list that disagrees", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!", RawEnd.KeepOpen, "protocol" },
        { "a Content-Length too short", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nhello", RawEnd.KeepOpen, "protocol" },
        { "not an HTTP status line", "GET", "SSH-2.0-OpenSSH_9.2\r\n\r\n", RawEnd.Close, "protocol" },
        { "a status line without its reason phrase", "GET", "HTTP/1.1 200\r\nContent-Length: 5\r\n\r\nhello", RawEnd.KeepOpen, null },
        { "a status code of one digit", "GET", "HTTP/1.1 2 OK\r\nContent-Length: 5\r\n\r\nhello", RawEnd.Close, "protocol" },
        { "a status code of four digits", "GET", "HTTP/1.1 2000 OK\r\nContent-Length: 5\r\n\r\nhello", RawEnd.Close, "protocol" },
        { "a negative status code", "GET", "HTTP/1.1 -20 OK\r\nContent-Length: 5\r\n\r\nhello", RawEnd.Close, "protocol" },
        { "a tab before a header's value", "GET", "HTTP/1.1 200 OK\r\nContent-Length:\t5\r\n\r\nhello", RawEnd.KeepOpen, null },
        { "chunked in capitals", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", RawEnd.KeepOpen, null },
        { "a coding after chunked: the body runs to the close", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, x-raw\r\nContent-Length: 99\r\n\r\nhello", RawEnd.Close, null },
        { "a chunk size with more than digits", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5zz\r\nhello\r\n0\r\n\r\n", RawEnd.Close, "protocol" },
        { "a TLS alert from a TLS-only port", "GET", "\u0015\u0003\u0003\u0000\u0002\u0002\u0046", RawEnd.Close, "protocol" },
        { "closed in the middle of the body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", RawEnd.Close, "reset" },
        { "reset in the middle of the body", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", RawEnd.Reset, "reset" },
        { "reset before any answer", "GET", string.Empty, RawEnd.Reset, "reset" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answer_FramedAsGiven_PassesOrFailsWithTheRightReason(string name, string method, string answer, RawEnd then, string? reason)
    {
        _ = name;
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(answer, then));
        string checks = method == "HEAD" || answer.Contains(" 204 ", StringComparison.Ordinal) || answer.Contains(" 304 ", StringComparison.Ordinal) ? "\"size == 0\"" : "\"body contains \\\"hello\\\"\"";

        StepResult[] results = await RunTwiceAsync(server.Address, $$"""{ "name": "get", "http": { "method": "{{method}}", "path": "/" }, "checks": [{{checks}}], "timeout": "5s" }""");

        foreach (StepResult result in results)
        {
            Assert.True(reason is null ? result.IsOk : !result.IsOk && result.Reason.Label() == reason, $"expected {reason ?? "ok"}, got {result.Reason.Label()}: {result.Message}");
        }
    }

    [Theory]
    [InlineData("0\r\n", "X-Trailer: 0123456789\r\n", "the chunked body's trailers pass 64 KB")]
    [InlineData("5;", "x", "a line of the chunked body (a chunk size or a trailer) is longer than 64 KB")]
    public async Task ChunkedBody_WithALineOrTrailersWithoutEnd_FailsAsProtocolAtOnce(string start, string repeated, string message)
    {
        // 100 KB that never end what they started, on a connection kept open: not a wait until the timeout.
        string answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n" + start + string.Concat(Enumerable.Repeat(repeated, 100_000 / repeated.Length));
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer(answer, RawEnd.KeepOpen));

        StepResult[] results = await RunTwiceAsync(server.Address, """{ "name": "get", "http": { "path": "/" }, "timeout": "30s" }""");

        Assert.All(results, result => Assert.Equal(("protocol", message), (result.Reason.Label(), result.Message)));
    }

    [Fact]
    public async Task Head_OnAKeptAliveConnection_IsReusedNotWaitedOn()
    {
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"));

        StepResult[] results = await RunTwiceAsync(server.Address, """{ "name": "head", "http": { "method": "HEAD", "path": "/" }, "timeout": "5s" }""");

        Assert.All(results, r => Assert.True(r.IsOk, r.Message));
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task PlainRequest_ToATlsOnlyPort_FailsSayingToUseHttps()
    {
        // A TLS server answers plain HTTP with an alert record (or a handshake), then closes.
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer("\u0015\u0003\u0003\u0000\u0002\u0002\u0046", RawEnd.Close));

        StepResult[] results = await RunTwiceAsync(server.Address, """{ "name": "get", "http": { "path": "/" }, "timeout": "5s" }""");

        Assert.All(results, r => Assert.Equal((FailureReason.Protocol, "the server answered in TLS, not plain HTTP: use https://"), (r.Reason, r.Message)));
    }

    [Fact]
    public async Task Body_CutShortByTheServer_FailsSayingHowMuchCameAndIsNotSentAgain()
    {
        // The regression: a connection closed in the middle of a body counted as one that never answered, so the
        // request went out again on a new connection (a POST twice) and failed saying no answer came.
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello", RawEnd.Close));

        StepResult[] results = await RunTwiceAsync(server.Address, """{ "name": "cut", "http": { "method": "POST", "path": "/", "body": "once" }, "timeout": "5s" }""");

        Assert.All(results, r => Assert.Equal((FailureReason.Reset, "the connection closed after 5 of the 10 bytes announced"), (r.Reason, r.Message)));
        Assert.Equal(2, server.Connections);
    }

    [Fact]
    public async Task Header_FilledFromAnAnswerWithALineBreak_IsNotSentAndFailsAsCheck()
    {
        // A hostile answer must not write headers into Probe's next request (a value extracted from it used in a header).
        const string Login = """{"token":"a\r\nX-Injected: yes"}""";
        await using var server = RawHttpServer.Start((_, path) => path == "/login"
            ? new RawAnswer($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Login.Length}\r\n\r\n{Login}")
            : new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));

        StepResult[] results = await RunTwiceAsync(server.Address, """
            { "name": "flow", "sequence": { "steps": [
              { "name": "login", "http": { "path": "/login" }, "extract": { "token": "body.token" } },
              { "name": "use", "http": { "path": "/use", "headers": { "Authorization": "Bearer ${vars.token}" } } } ] } }
            """);

        Assert.All(results, r => Assert.Equal((FailureReason.Check, "flow/use: header Authorization: its filled value holds CR, LF or NUL, which would end the header and start another; the request was not sent"), (r.Reason, r.Message)));
    }

    [Fact]
    public async Task Query_FilledFromAnAnswer_NeverResolvesASecretTheAnswerNamed()
    {
        // A hostile answer that names ${env:…} must not get the secret sent back to it (it was resolved after the fill).
        Environment.SetEnvironmentVariable("PROBE_TEST_EXFILTRATED", "s3cret");
        const string Login = """{"next":"${env:PROBE_TEST_EXFILTRATED}"}""";
        var asked = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var server = RawHttpServer.Start((_, path) =>
        {
            asked.Add(path);
            return path == "/login"
                ? new RawAnswer($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Login.Length}\r\n\r\n{Login}")
                : new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });

        StepResult[] results = await RunTwiceAsync(server.Address, """
            { "name": "flow", "sequence": { "steps": [
              { "name": "login", "http": { "path": "/login" }, "extract": { "next": "body.next" } },
              { "name": "use", "http": { "path": "/use", "query": { "q": "${vars.next}" } } } ] } }
            """);

        Assert.All(results, r => Assert.True(r.IsOk, r.Message));
        Assert.DoesNotContain(asked, p => p.Contains("s3cret", StringComparison.Ordinal));
        Assert.Contains("/use?q=%24%7Benv%3APROBE_TEST_EXFILTRATED%7D", asked);
    }

    [Fact]
    public async Task JsonBody_FilledFromAnAnswerWithQuotes_StaysTheJsonTheSuiteWrote()
    {
        // A hostile answer must not add fields to the next request's JSON (a value with a quote ended its string).
        const string Login = """{"name":"x\", \"admin\": true, \"y\": \"\\"}""";
        var bodies = new System.Collections.Concurrent.ConcurrentBag<string>();
        await using var server = RawHttpServer.StartWithBodies((_, path, body) =>
        {
            bodies.Add(body);
            return path == "/login"
                ? new RawAnswer($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {Login.Length}\r\n\r\n{Login}")
                : new RawAnswer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        });

        StepResult[] results = await RunTwiceAsync(server.Address, """
            { "name": "flow", "sequence": { "steps": [
              { "name": "login", "http": { "path": "/login" }, "extract": { "name": "body.name" } },
              { "name": "save", "http": { "method": "POST", "path": "/save", "json": { "user": "${vars.name}", "copy": "${copy}" } } } ] } }
            """);

        Assert.All(results, r => Assert.True(r.IsOk, r.Message));
        string saved = bodies.First(b => b.Length > 0);
        using var json = System.Text.Json.JsonDocument.Parse(saved);
        Assert.Equal(["user", "copy"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("x\", \"admin\": true, \"y\": \"\\", json.RootElement.GetProperty("user").GetString());
        Assert.Equal("0", json.RootElement.GetProperty("copy").GetString());
    }

    [Fact]
    public async Task Redirects_InALoop_FailAsRedirectsNamingTheLoop()
    {
        await using var server = RawHttpServer.Start((_, path) => new RawAnswer($"HTTP/1.1 302 Found\r\nLocation: {(path == "/a" ? "/b" : "/a")}\r\nContent-Length: 0\r\n\r\n"));

        StepResult[] results = await RunTwiceAsync(server.Address, """{ "name": "loop", "http": { "path": "/a" }, "checks": ["status == 200"], "timeout": "5s" }""");

        Assert.All(results, r => Assert.Equal((FailureReason.Redirects, "redirect loop: /a → /b → /a"), (r.Reason, r.Message)));
    }

    private static async Task<StepResult[]> RunTwiceAsync(Uri target, string step)
    {
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes($$"""
            { "targets": { "t": { "url": "{{target}}" } }, "scenarios": { "s": { "steps": [ {{step}} ] } } }
            """), "framing.json");
        using BoundSuite bound = SuiteBinder.Bind(suite);
        await using var scenario = new OnDemandScenario(bound.Scenarios[0]);
        var results = new StepResult[2];
        for (int i = 0; i < results.Length; i++)
        {
            results[i] = (await scenario.RunOnceAsync()).Result;
        }

        return results;
    }
}
