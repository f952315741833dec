using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// Probe's own HTTP/2 client against Kestrel speaking HTTP/2 only (prior knowledge on plain HTTP):
/// bodies over many DATA frames, request bodies, header checks, bodiless answers, a stream the
/// server resets, max_body, and a timeout that resets one stream and leaves the connection to the rest.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class Http2StepTests
{
    private const string Http2 = "\"http\": \"2\"";

    [Fact]
    public async Task Http2_BodiesHeadersAndBodilessAnswers_ComeThroughWhole()
    {
        await using LoopbackServer server = await StartAsync();
        string[] steps =
        [
            """{ "name": "big", "http": { "path": "/big" }, "checks": ["status == 200", "size == 300000", "body contains \"zz\""] }""",
            """{ "name": "echo", "http": { "method": "POST", "path": "/echo", "json": { "question": "héllo" } }, "checks": ["body.question == \"héllo\"", "header.x-echo == \"yes\""] }""",
            """{ "name": "none", "http": { "path": "/none" }, "checks": ["status == 204", "size == 0"] }""",
            """{ "name": "head", "http": { "method": "HEAD", "path": "/big" }, "checks": ["status == 200", "size == 0"] }""",
        ];

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, steps, iterations: 3, targetFields: Http2);

        Assert.All(runs, run => Assert.True(run.Ok == 3, $"{run.Name}: {string.Join("; ", run.FailureMessages)}"));
        Assert.Equal(1, runs[0].Phases["connect"].Count); // one connection for the whole run, its connect timed once
    }

    [Fact]
    public async Task Http2_RequestBodiesPastTheServersWindows_GoOutWholeAsItOpensThem()
    {
        // Kestrel opens 768 KiB per stream and 1 MiB per connection: these bodies need WINDOW_UPDATEs, and three
        // copies send theirs at once over the one connection; one answer comes before its body is read.
        string body = string.Concat(Enumerable.Range(0, 2_000_000).Select(i => (char)('a' + (i % 26)))) + "é";
        string digest = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        await using LoopbackServer server = await StartAsync();
        string[] steps =
        [
            $$$"""{ "name": "upload", "http": { "method": "POST", "path": "/digest", "body": "{{{body}}}" }, "checks": ["status == 200", "body == \"{{{digest}}}\""] }""",
            $$$"""{ "name": "refused", "http": { "method": "POST", "path": "/refuse", "body": "{{{body}}}" }, "checks": ["status == 413"] }""",
            """{ "name": "after", "http": { "path": "/none" } }""",
        ];

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, steps, iterations: 6, targetFields: Http2, copies: 3);

        Assert.All(runs, run => Assert.True(run.Ok == 6, $"{run.Name}: {string.Join("; ", run.FailureMessages)}"));
        Assert.Equal(1, runs[0].Phases["connect"].Count);
    }

    [Fact]
    public async Task Http2_ServerThatNeverOpensItsWindow_FailsTheUploadAtItsTimeout()
    {
        string body = new('x', 2_000_000);
        await using LoopbackServer server = await StartAsync();
        string[] steps =
        [
            $$$"""{ "name": "stuck", "http": { "method": "POST", "path": "/ignore", "body": "{{{body}}}" }, "timeout": "300ms" }""",
            """{ "name": "after", "http": { "path": "/none" } }""",
        ];

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, steps, iterations: 2, targetFields: Http2);

        Assert.Equal(FailureReason.Timeout, runs[0].FailureReasons.Keys.Single());
        Assert.True(runs[1].Ok == 2, string.Join("; ", runs[1].FailureMessages));
    }

    [Fact]
    public async Task Http2_ResetStreamAndMaxBody_FailWithTheirReasons()
    {
        await using LoopbackServer server = await StartAsync();
        string[] steps =
        [
            """{ "name": "abort", "http": { "path": "/abort" } }""",
            """{ "name": "limit", "http": { "path": "/big", "max_body": 1000 }, "checks": ["status == 200"] }""",
            """{ "name": "after", "http": { "path": "/none" } }""",
        ];

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, steps, iterations: 2, targetFields: Http2);

        Assert.Equal(FailureReason.Reset, runs[0].FailureReasons.Keys.Single());
        Assert.Contains("reset the stream", runs[0].FailureMessages[0], StringComparison.Ordinal);
        Assert.Equal(FailureReason.Body, runs[1].FailureReasons.Keys.Single());
        Assert.True(runs[2].Ok == 2, string.Join("; ", runs[2].FailureMessages));
    }

    [Fact]
    public async Task Http2_Timeout_ResetsOnlyThatStream()
    {
        await using LoopbackServer server = await StartAsync();
        string[] steps =
        [
            """{ "name": "slow", "http": { "path": "/slow" }, "timeout": "200ms" }""",
            """{ "name": "fast", "http": { "path": "/none" } }""",
        ];

        StepSnapshot[] runs = await StepRuns.RunAsync(server.Address, steps, iterations: 2, targetFields: Http2);

        Assert.Equal(FailureReason.Timeout, runs[0].FailureReasons.Keys.Single());
        Assert.True(runs[0].Latency.MaxNanoseconds < 2_000_000_000, "the timeout ended the wait, not the server");
        Assert.True(runs[1].Ok == 2, string.Join("; ", runs[1].FailureMessages));
        Assert.False(runs[1].Phases.ContainsKey("connect"), "the fast step went on the connection the slow one opened");
    }

    [Fact]
    public async Task Http2Required_ServerWithoutIt_FailsSayingSo()
    {
        using var certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using LoopbackServer http1 = await LoopbackServer.StartAsync(app => app.MapGet("/none", () => Results.NoContent()), certificate, HttpProtocols.Http1, ClientCertificateMode.NoCertificate);

        StepSnapshot run = (await StepRuns.RunAsync(http1.Address, ["""{ "name": "none", "http": { "path": "/none" } }"""], insecure: true, targetFields: Http2))[0];

        Assert.Equal(FailureReason.Tls, run.FailureReasons.Keys.Single());
        Assert.Contains("offering only HTTP/2", run.FailureMessages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PriorKnowledge_PlainServerWithoutHttp2_FailsSayingItDoesNotTakeH2c()
    {
        // Kestrel without HTTP/2 answers the preface with GOAWAY; it used to fail as "closed after GOAWAY" (reset).
        await using LoopbackServer http1 = await LoopbackServer.StartAsync(app => app.MapGet("/none", () => Results.NoContent()), null, HttpProtocols.Http1, ClientCertificateMode.NoCertificate);

        StepSnapshot run = (await StepRuns.RunAsync(http1.Address, ["""{ "name": "none", "http": { "path": "/none" } }"""], targetFields: Http2))[0];

        Assert.True(run.FailureReasons.Keys.Single() == FailureReason.Protocol, run.FailureMessages[0]);
        Assert.Contains("does not take HTTP/2 with prior knowledge", run.FailureMessages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PriorKnowledge_ServerAnsweringInText_FailsSayingWhatItSaid()
    {
        // The regression: the first bytes of an HTTP/1.1 answer were read as a frame header, and the step failed
        // with "a frame of 5526612 bytes" instead of saying that the server does not speak h2c.
        await using var server = RawHttpServer.Start((_, _) => new RawAnswer("HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\n\r\n", RawEnd.Close));

        StepSnapshot run = (await StepRuns.RunAsync(server.Address, ["""{ "name": "none", "http": { "path": "/none" } }"""], targetFields: Http2))[0];

        Assert.True(run.FailureReasons.Keys.Single() == FailureReason.Protocol, run.FailureMessages[0]);
        Assert.Contains("the server answered in text ('HTTP/1.1 505 HTTP Version Not Supported'), not in HTTP/2 frames", run.FailureMessages[0], StringComparison.Ordinal);
    }

    private static Task<LoopbackServer> StartAsync() => LoopbackServer.StartAsync(app =>
    {
        string big = new string('a', 299_998) + "zz";
        app.MapMethods("/big", ["GET", "HEAD"], () => Results.Text(big));
        app.MapPost("/echo", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            string body = await reader.ReadToEndAsync();
            context.Response.Headers["X-Echo"] = "yes";
            return Results.Text(body, "application/json");
        });
        app.MapPost("/digest", async (HttpContext context) =>
        {
            using var memory = new MemoryStream();
            await context.Request.Body.CopyToAsync(memory);
            return Results.Text(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(memory.ToArray())));
        });
        app.MapPost("/refuse", () => Results.StatusCode(413)); // answers without reading the body
        app.MapPost("/ignore", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3)); // reads nothing: the stream's window stays shut
            return Results.Text("late");
        });
        app.MapGet("/none", () => Results.NoContent());
        app.MapGet("/abort", (HttpContext context) =>
        {
            context.Abort();
            return Results.Empty;
        });
        app.MapGet("/slow", async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            return Results.Text("late");
        });
    }, null, HttpProtocols.Http2, ClientCertificateMode.NoCertificate);
}
