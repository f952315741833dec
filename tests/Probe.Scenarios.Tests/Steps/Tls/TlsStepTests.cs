using Microsoft.AspNetCore.Builder;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Tls;

[Collection(RealTimeCollection.Name)]
public class TlsStepTests
{
    [Fact]
    public async Task Tls_SelfSignedCertificateForThirtyDays_ReportsExpiryNameAndTrust()
    {
        using var certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), certificate);

        StepSnapshot step = await RunAsync(server.Address, """
            { "name": "cert", "tls": {}, "checks": ["tls.expires_in > 14d", "tls.hostname_match == true", "tls.trusted == false", "tls.subject contains \"probe-test\""] },
            { "name": "soon", "tls": {}, "checks": ["tls.expires_in > 60d"] }
            """, "cert", "soon");

        Assert.Equal(["check: check 'tls.expires_in > 60d' failed: tls.expires_in was 30d"], step.FailureMessages);
    }

    [Fact]
    public async Task Tls_NoChecks_FailsWithTlsReasonOnAnUntrustedOrMismatchedCertificate()
    {
        using var certificate = TestCertificates.SelfSigned("elsewhere", TimeSpan.FromDays(30), namesLoopback: false);
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), certificate);

        StepSnapshot step = await RunAsync(server.Address, """
            { "name": "cert", "tls": {} }
            """, null, "cert");

        Assert.Equal(new Dictionary<FailureReason, long> { [FailureReason.Tls] = 1 }, step.FailureReasons);
        Assert.Equal(["tls: the certificate (CN=elsewhere) does not name 127.0.0.1"], step.FailureMessages);
        Assert.Contains("tls", step.Phases.Keys);
    }

    [Fact]
    public async Task Tls_APortWithoutTls_FailsSayingTheServerDidNotAnswerInTls()
    {
        await using LoopbackServer plain = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), null, Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1, Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.NoCertificate);
        var https = new UriBuilder(plain.Address) { Scheme = "https" }.Uri;

        StepSnapshot step = await RunAsync(https, """{ "name": "cert", "tls": {} }""", null, "cert");

        Assert.Equal(FailureReason.Tls, step.FailureReasons.Keys.Single());
        Assert.EndsWith("the server did not answer in TLS: a tls step needs a port that speaks TLS", step.FailureMessages.Single(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> CertificateProblems => new()
    {
        { "untrusted", "the certificate is self-signed and not trusted (CN=probe-test)" },
        { "expired", "the certificate is expired or not yet valid (valid from " },
        { "another name", "the certificate is not for 127.0.0.1 (it is for elsewhere.invalid)" },
    };

    [Theory]
    [MemberData(nameof(CertificateProblems))]
    public async Task Http_RejectedCertificate_FailsWithTlsReasonSayingWhatIsWrong(string problem, string message)
    {
        using var certificate = problem switch
        {
            "expired" => TestCertificates.Expired("probe-test"),
            "another name" => TestCertificates.SelfSigned("elsewhere", TimeSpan.FromDays(30), namesLoopback: false),
            _ => TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30)),
        };
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), certificate);

        StepSnapshot step = await RunAsync(server.Address, """
            { "name": "get", "http": { "path": "/" } }
            """, null, "get");

        Assert.Equal(FailureReason.Tls, step.FailureReasons.Keys.Single());
        Assert.Contains(step.FailureMessages, m => m.StartsWith("tls: ", StringComparison.Ordinal) && m.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Http_InsecureTlsTarget_AcceptsTheCertificateAndTimesTheHandshake()
    {
        using var certificate = TestCertificates.SelfSigned("probe-test", TimeSpan.FromDays(30));
        await using LoopbackServer server = await LoopbackServer.StartAsync(app => app.MapGet("/", () => "ok"), certificate);

        StepSnapshot step = await RunAsync(server.Address, """
            { "name": "get", "http": { "path": "/" }, "checks": ["status == 200"] }
            """, "get", "get", insecure: true);

        Assert.Equal(["connect", "tls", "transfer", "ttfb"], step.Phases.Keys.Order());
        Assert.True(step.Phases["tls"].MaxNanoseconds > 0);
    }

    private static async Task<StepSnapshot> RunAsync(Uri address, string steps, string? passing, string reported, bool insecure = false)
    {
        SuiteDefinition suite = SuiteLoader.Parse($$"""
            { "targets": { "t": { "url": "{{address}}", "insecure_tls": {{(insecure ? "true" : "false")}} } }, "scenarios": { "s": { "steps": [ {{steps}} ] } } }
            """);
        using BoundSuite bound = SuiteBinder.Bind(suite);
        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);
        if (passing is not null)
        {
            StepSnapshot ok = result.Scenario("s").Step(passing)!;
            Assert.True(ok.Fail == 0, string.Join("; ", ok.FailureMessages));
        }

        return result.Scenario("s").Step(reported)!;
    }
}
