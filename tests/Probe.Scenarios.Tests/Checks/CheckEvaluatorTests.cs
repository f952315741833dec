using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Tests.Checks;

public class CheckEvaluatorTests
{
    private const string Body = """
        {"status":"healthy","answer":"Haircuts cost $30.","results":[{"id":"pricing.md","score":0.91},{"id":"hours.md","score":0.42}],
         "sources":["pricing.md","faq.md"],"refused":false,"error":null,"usage":{"total_tokens":312}}
        """;

    public static TheoryData<string, bool, string> Cases => new()
    {
        { "status == 200", true, "200" },
        { "status == 201", false, "200" },
        { "status in (200, 204)", true, "200" },
        { "status in (201, 204)", false, "200" },
        { "status != 500", true, "200" },
        { "latency < 500ms", true, "120ms" },
        { "latency < 100ms", false, "120ms" },
        { "size > 100", true, "230 bytes" },
        { "body.status == \"healthy\"", true, "\"healthy\"" },
        { "body.status == \"degraded\"", false, "\"healthy\"" },
        { "body.results.length >= 1", true, "2" },
        { "body.results.length >= 3", false, "2" },
        { "body.results[0].score >= 0.9", true, "0.91" },
        { "body.results[5].score >= 0.9", false, "missing" },
        { "body.sources contains \"pricing.md\"", true, "[\"pricing.md\",\"faq.md\"]" },
        { "body.sources contains \"refund.md\"", false, "[\"pricing.md\",\"faq.md\"]" },
        { "body.results contains \"hours.md\"", true, "[{\"id\":\"pricing.md\",\"score\":0.91},{\"id\":\"hours.md\",\"score\":0.42}]" },
        { "body.answer contains \"$30\"", true, "\"Haircuts cost $30.\"" },
        { "body.answer !contains \"sorry\"", true, "\"Haircuts cost $30.\"" },
        { "body.refused == false", true, "false" },
        { "body.error == null", true, "null" },
        { "body.usage.total_tokens < 1000", true, "312" },
        { "body.missing exists", false, "missing" },
        { "body.missing missing", true, "missing" },
        { "body.status == 1", false, "\"healthy\"" },
        { "body.status != 1", true, "\"healthy\"" },
        { "header.retry-after exists", true, "\"30\"" },
        { "header.x-ratelimit-remaining == \"0\"", true, "\"0\"" },
        { "header.etag exists", false, "missing" },
        { "tls.expires_in > 14d", false, "missing" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_Check_GivesExactOutcomeAndActualValue(string check, bool passed, string actual)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Retry-After"] = "30", ["X-RateLimit-Remaining"] = "0" };
        var input = new CheckInput(200, 120_000_000, 230, Body, name => headers.GetValueOrDefault(name));

        CheckOutcome outcome = CheckEvaluator.Evaluate(CheckParser.Parse(check), input);

        Assert.Equal((passed, actual), (outcome.Passed, outcome.Actual));
    }

    [Theory]
    [InlineData("tls.expires_in > 14d", true)]
    [InlineData("tls.expires_in > 60d", false)]
    [InlineData("tls.hostname_match == true", true)]
    [InlineData("tls.issuer contains \"Probe Test CA\"", true)]
    public void Evaluate_TlsFacts(string check, bool passed)
    {
        var input = new CheckInput(200, 0, 0, null, tls: new TlsFacts(TimeSpan.FromDays(30), "CN=Probe Test CA", "CN=localhost", true));
        Assert.Equal(passed, CheckEvaluator.Evaluate(CheckParser.Parse(check), input).Passed);
    }

    [Fact]
    public void Evaluate_TlsExpiry_ShowsDaysLeft()
    {
        var input = new CheckInput(200, 0, 0, null, tls: new TlsFacts(TimeSpan.FromDays(30.5), "CN=Probe Test CA", "CN=localhost", true));
        CheckOutcome outcome = CheckEvaluator.Evaluate(CheckParser.Parse("tls.expires_in > 60d"), input);
        Assert.Equal((false, "30.5d"), (outcome.Passed, outcome.Actual));
    }

    [Fact]
    public void Evaluate_TextBody_BodyContainsSearchesTheText()
    {
        var input = new CheckInput(200, 0, 2, "OK", null);
        Assert.True(CheckEvaluator.Evaluate(CheckParser.Parse("body contains \"OK\""), input).Passed);
        Assert.False(CheckEvaluator.Evaluate(CheckParser.Parse("body.status exists"), input).Passed);
    }

    [Fact]
    public void Message_FailedCheck_SaysWhatTheResponseHad()
    {
        CheckExpression check = CheckParser.Parse("status == 200");
        CheckOutcome outcome = CheckEvaluator.Evaluate(check, new CheckInput(503, 0, 0, null));
        Assert.Equal("check 'status == 200' failed: status was 503", outcome.Message(check));
    }
}
