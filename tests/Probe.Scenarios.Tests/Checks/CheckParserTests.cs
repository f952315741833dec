using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Tests.Checks;

public class CheckParserTests
{
    [Theory]
    [InlineData("status == 200", "status", CheckOperator.Equal, "200")]
    [InlineData("status in (200, 204)", "status", CheckOperator.In, "200|204")]
    [InlineData("latency < 500ms", "latency", CheckOperator.Less, "500ms")]
    [InlineData("body.status == \"healthy\"", "body.status", CheckOperator.Equal, "\"healthy\"")]
    [InlineData("body.results.length >= 1", "body.results.length", CheckOperator.GreaterOrEqual, "1")]
    [InlineData("body.sources contains \"pricing.md\"", "body.sources", CheckOperator.Contains, "\"pricing.md\"")]
    [InlineData("header.retry-after exists", "header.retry-after", CheckOperator.Exists, "")]
    [InlineData("header.X-RateLimit-Remaining missing", "header.x-ratelimit-remaining", CheckOperator.Missing, "")]
    [InlineData("tls.expires_in > 14d", "tls.expires_in", CheckOperator.Greater, "336h")]
    [InlineData("body.results[0].score >= 0.5", "body.results[0].score", CheckOperator.GreaterOrEqual, "0.5")]
    [InlineData("body !contains \"error\"", "body", CheckOperator.NotContains, "\"error\"")]
    [InlineData("body.refused == true", "body.refused", CheckOperator.Equal, "true")]
    [InlineData("body.error == null", "body.error", CheckOperator.Equal, "null")]
    [InlineData("body.answer == \"say \\\"hi\\\"\"", "body.answer", CheckOperator.Equal, "\"say \"hi\"\"")]
    [InlineData("body contains 'chunked world'", "body", CheckOperator.Contains, "\"chunked world\"")]
    [InlineData("body.answer == 'say \"hi\" and \\'bye\\''", "body.answer", CheckOperator.Equal, "\"say \"hi\" and 'bye'\"")]
    [InlineData("size<=2048", "size", CheckOperator.LessOrEqual, "2048")]
    public void Parse_ValidCheck_GivesSubjectOperatorAndValues(string text, string subject, CheckOperator op, string values)
    {
        CheckExpression check = CheckParser.Parse(text);
        Assert.Equal(subject, check.Subject.ToString());
        Assert.Equal(op, check.Operator);
        Assert.Equal(values, string.Join("|", check.Values.Select(v => v.ToString())));
    }

    [Theory]
    [InlineData("", "column 1: expected status, latency, size, body, header.NAME or tls.FIELD, found the end")]
    [InlineData("stauts == 200", "column 1: unknown subject 'stauts'; expected status, latency, size, body, header.NAME or tls.FIELD (did you mean 'status'?)")]
    [InlineData("status = 200", "column 8: expected ==, !=, <, <=, >, >=, contains, !contains, in, exists or missing after 'status', found '='")]
    [InlineData("status == \"200\"", "column 11: status compares with a number, found \"200\"")]
    [InlineData("latency < 500", "column 11: latency compares with a duration such as 500ms or 14d, found 500")]
    [InlineData("body.status == healthy", "column 16: expected a value (a number, a duration such as 500ms, a \"string\" or 'string', true, false or null), found 'healthy'; quote text as \"healthy\" or 'healthy'")]
    [InlineData("body.status == 'healthy", "column 16: this string has no closing \"'\"")]
    [InlineData("json.status == \"ok\"", "column 1: unknown subject 'json'; expected status, latency, size, body, header.NAME or tls.FIELD; a field of a JSON body is body.NAME, as in body.status")]
    [InlineData("body.status == \"healthy", "column 16: this string has no closing '\"'")]
    [InlineData("body.results[x] exists", "column 14: expected an index and ']' as in [0], found 'x]'")]
    [InlineData("body. exists", "column 6: expected a field name after '.', found a space")]
    [InlineData("header exists", "column 7: expected '.' and a header name after 'header', as in header.retry-after")]
    [InlineData("tls.expiry > 14d", "column 5: unknown tls field 'expiry'; expected expires_in, issuer, subject, hostname_match or trusted")]
    [InlineData("status in 200", "column 11: expected '(' after 'in', found '200'")]
    [InlineData("status in (200 204)", "column 16: expected ',' or ')' in the list after 'in', found '204)'")]
    [InlineData("status == 200 and", "column 15: expected the end of the check, found 'and'")]
    [InlineData("body.ok < true", "column 9: '<' orders numbers, durations and strings, not true")]
    [InlineData("body.results.length > \"1\"", "column 23: body.results.length compares with a number, found \"1\"")]
    public void TryParse_BrokenCheck_PointsAtTheColumn(string text, string message)
    {
        Assert.False(CheckParser.TryParse(text, out _, out CheckParseError? error));
        Assert.Equal(message, error.ToString());
    }

    [Fact]
    public void Parse_BrokenCheck_ThrowsFormatExceptionQuotingIt()
    {
        var e = Assert.Throws<FormatException>(() => CheckParser.Parse("status => 200"));
        Assert.Equal("check 'status => 200': column 8: expected ==, !=, <, <=, >, >=, contains, !contains, in, exists or missing after 'status', found '=>'", e.Message);
    }
}
