using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Dns;

/// <summary>The dns step against a real DNS server on a loopback UDP port.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class DnsStepTests : IAsyncDisposable
{
    private readonly DnsTestServer _dns = DnsTestServer.Start()
        .Add("api.shop.test", "A", "192.0.2.10").Add("api.shop.test", "A", "192.0.2.11")
        .Add("api.shop.test", "AAAA", "2001:db8::10")
        .Add("www.shop.test", "CNAME", "api.shop.test")
        .Add("shop.test", "TXT", "v=spf1 -all");

    public ValueTask DisposeAsync() => _dns.DisposeAsync();

    [Fact]
    public async Task Dns_ExpectedAnswersAndChecks_PassWithTheResolversTime()
    {
        StepSnapshot[] steps = await RunAsync(
            $$"""{ "name": "a", "dns": { "query": "api.shop.test", "resolver": "{{_dns.Endpoint}}", "expect": ["192.0.2.11"] }, "checks": ["size == 2", "body contains \"192.0.2.10\""] }""",
            $$"""{ "name": "aaaa", "dns": { "query": "api.shop.test", "type": "AAAA", "resolver": "{{_dns.Endpoint}}", "expect": ["2001:db8::10"] } }""",
            $$"""{ "name": "cname", "dns": { "query": "www.shop.test", "type": "CNAME", "resolver": "{{_dns.Endpoint}}", "expect": ["api.shop.test."] } }""",
            $$"""{ "name": "txt", "dns": { "query": "shop.test", "type": "TXT", "resolver": "{{_dns.Endpoint}}" }, "checks": ["body contains \"v=spf1 -all\""] }""");

        Assert.All(steps, s => Assert.True(s.Ok == 1, $"{s.Name}: {string.Join("; ", s.FailureMessages)}"));
        Assert.Equal(["dns"], steps[0].Phases.Keys);
    }

    [Fact]
    public async Task Dns_WrongAnswerUnknownNameFailureAndSilence_EachSayWhat()
    {
        _dns.Failing.Add("broken.shop.test");
        _dns.Add("broken.shop.test", "A", "192.0.2.99");
        _dns.Silent.Add("slow.shop.test");

        StepSnapshot[] steps = await RunAsync(
            $$"""{ "name": "moved", "dns": { "query": "api.shop.test", "resolver": "{{_dns.Endpoint}}", "expect": ["198.51.100.7"] } }""",
            $$"""{ "name": "unknown", "dns": { "query": "nope.shop.test", "resolver": "{{_dns.Endpoint}}" } }""",
            $$"""{ "name": "servfail", "dns": { "query": "broken.shop.test", "resolver": "{{_dns.Endpoint}}" } }""",
            $$"""{ "name": "silent", "dns": { "query": "slow.shop.test", "resolver": "{{_dns.Endpoint}}" }, "timeout": "300ms" }""",
            $$"""{ "name": "unsigned", "dns": { "query": "api.shop.test", "resolver": "{{_dns.Endpoint}}", "dnssec": true } }""");

        Assert.Equal(["check: expected 198.51.100.7 among the A answers for api.shop.test; got 192.0.2.10, 192.0.2.11"], steps[0].FailureMessages);
        Assert.StartsWith("dns: nope.shop.test A: NXDOMAIN", Assert.Single(steps[1].FailureMessages), StringComparison.Ordinal);
        Assert.StartsWith("dns: broken.shop.test A: SERVFAIL", Assert.Single(steps[2].FailureMessages), StringComparison.Ordinal);
        Assert.Equal(FailureReason.Timeout, steps[3].FailureReasons.Keys.Single());
        Assert.Equal([$"dns: api.shop.test A: the answer is not DNSSEC-validated (no AD flag from {_dns.Endpoint})"], steps[4].FailureMessages);
    }

    [Fact]
    public async Task Dns_SignedZone_PassesWithDnssecRequired()
    {
        _dns.Signed = true;

        StepSnapshot[] steps = await RunAsync($$"""{ "name": "signed", "dns": { "query": "api.shop.test", "resolver": "{{_dns.Endpoint}}", "dnssec": true } }""");

        Assert.True(steps[0].Ok == 1, string.Join("; ", steps[0].FailureMessages));
    }

    [Fact]
    public void Dns_BadTypeAndResolver_AreSuiteErrors()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse("""
            { "targets": { "t": { "url": "http://127.0.0.1:9" } }, "scenarios": { "s": { "steps": [
              { "name": "d", "dns": { "query": "a.test", "type": "AAA", "resolver": "dns.google" } } ] } } }
            """));

        Assert.Equal(
            ["unknown record type 'AAA' (did you mean 'AAAA'?); types: A, AAAA, CNAME, MX, TXT, NS, SOA, SRV, CAA, PTR",
             "expected a resolver's address, ADDRESS or ADDRESS:PORT such as 1.1.1.1 or 127.0.0.1:5353, found \"dns.google\""],
            error.Errors.Select(e => e.Message));
    }

    private static Task<StepSnapshot[]> RunAsync(params string[] steps) => StepRuns.RunAsync(new Uri("http://127.0.0.1:9"), steps);
}
