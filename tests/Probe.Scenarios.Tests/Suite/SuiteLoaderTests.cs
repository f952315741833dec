using Probe.Engine.Simulations;
using Probe.Scenarios.Suite;

using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Suite;

public class SuiteLoaderTests
{
    [Fact]
    public void Parse_AByteOrderMark_IsSkipped()
    {
        SuiteDefinition suite = SuiteLoader.Parse([.. System.Text.Encoding.UTF8.Preamble, .. System.Text.Encoding.UTF8.GetBytes(Valid)], "scenarios.json");

        Assert.Equal("s", Assert.Single(suite.Scenarios).Name);
    }

    [Fact]
    public void Parse_TextThatIsNotUtf8_SaysWhereAndHowToFixIt()
    {
        byte[] latin1 = System.Text.Encoding.Latin1.GetBytes(Valid.Replace("\"h\"", "\"caf\u00e9\"", StringComparison.Ordinal));

        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(latin1, "scenarios.json"));

        Assert.Equal("scenarios.json:5:32: $: the file is not UTF-8 text: byte 0xE9 at line 5, column 32 is not UTF-8; save the file as UTF-8 (a suite is JSON, which is UTF-8)", Assert.Single(e.Errors).ToString());
    }

    [Fact]
    public void Load_AFolder_SaysItIsAFolder()
    {
        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Load(Repository.Root));

        Assert.Contains("is a folder, not a suite file", Assert.Single(e.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TargetUrlWithUserInformation_KeepsItAsCredentialsOutOfTheUrl()
    {
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes(Valid.Replace("http://127.0.0.1:5080", "http://probe:${env:HOME}@127.0.0.1:5080/api", StringComparison.Ordinal)), "scenarios.json");

        TargetSpec demo = suite.Targets["demo"];
        Assert.Equal(("probe:${env:HOME}", "http://127.0.0.1:5080/api"), (demo.Credentials, demo.Url.ToString()));
        Assert.Equal(["HOME"], suite.SecretNames);
    }

    private const string Valid = """
        {
          "targets": { "demo": { "url": "http://127.0.0.1:5080" } },
          "scenarios": {
            "s": {
              "steps": [ { "name": "h", "http": { "path": "/health" }, "checks": ["status == 200"] } ]
            }
          }
        }
        """;

    public static TheoryData<string, string, string> Broken => new()
    {
        { "NUL in a scenario name", Valid.Replace("\"s\": {", "\"a\\u0000b\": {", StringComparison.Ordinal), "scenarios.json:4:17: $.scenarios[\"a\\u0000b\"]: a scenario's name \"a\\u0000b\" holds a control character (U+0000); names are metric labels and file names: use letters, digits and - _ . or spaces" },
        { "a key twice", Valid.Replace("\"scenarios\": {", "\"suite\": \"a\", \"suite\": \"b\", \"scenarios\": {", StringComparison.Ordinal), "scenarios.json:3:3: $.suite: 'suite' appears twice in this object; keys must be unique (one of them would be silently ignored)" },
        { "a variable outside a sequence", Valid.Replace("\"/health\"", "\"/users/${vars.id}\"", StringComparison.Ordinal), "scenarios.json:5:41: $.scenarios.s.steps[0].http: ${vars.id} is filled only inside a sequence, from an earlier step's extract; put this step in a \"sequence\" after the step that extracts 'id'" },
        { "secret in a URL path", Valid.Replace("http://127.0.0.1:5080", "http://127.0.0.1:5080/${env:HOME}", StringComparison.Ordinal), "scenarios.json:2:33: $.targets.demo.url: a secret in a target URL goes in its user information, sent as Basic credentials (\"https://user:${env:PASSWORD}@host\"), or in a step's headers; found \"http://127.0.0.1:5080/${env:HOME}\"" },
        { "syntax error", Valid.Replace("\"/health\" }", "\"/health\" ", StringComparison.Ordinal), "scenarios.json:5:93: $: not valid JSON: ']' is invalid without a matching open." },
        { "unknown field", Valid.Replace("\"path\"", "\"pth\"", StringComparison.Ordinal), "scenarios.json:5:41: $.scenarios.s.steps[0].http: 'path' is required, for example \"path\": \"/health\"\nscenarios.json:5:43: $.scenarios.s.steps[0].http.pth: unknown field 'pth' in an http step (did you mean 'path'?); allowed: target, method, path, headers, query, json, body, redirects, max_body, repeat" },
        { "wrong type", Valid.Replace("\"checks\": [\"status == 200\"]", "\"checks\": \"status == 200\"", StringComparison.Ordinal), "scenarios.json:5:74: $.scenarios.s.steps[0].checks: expected checks (an array), found \"status == 200\"" },
        { "bad duration", Valid.Replace("\"checks\"", "\"timeout\": \"5 sec\", \"checks\"", StringComparison.Ordinal), "scenarios.json:5:75: $.scenarios.s.steps[0].timeout: unknown unit ' sec' in '5 sec': use ns, us, ms, s, m, h or d, found \"5 sec\"" },
        { "unknown target", Valid.Replace("\"steps\"", "\"target\": \"dmeo\", \"steps\"", StringComparison.Ordinal), "scenarios.json:5:17: $.scenarios.s.target: unknown target 'dmeo' (did you mean 'demo'?); targets: demo" },
        { "bad condition", Valid.Replace("status == 200", "status = 200", StringComparison.Ordinal), "scenarios.json:5:75: $.scenarios.s.steps[0].checks[0]: check \"status = 200\": column 8: expected ==, !=, <, <=, >, >=, contains, !contains, in, exists or missing after 'status', found '='" },
        { "missing secret", Valid.Replace("\"path\": \"/health\"", "\"path\": \"/health\", \"headers\": { \"Authorization\": \"Bearer ${env:PROBE_TEST_UNSET_KEY}\" }", StringComparison.Ordinal), "scenarios.json:5:92: $.scenarios.s.steps[0].http.headers.Authorization: secret ${env:PROBE_TEST_UNSET_KEY} is not set: export PROBE_TEST_UNSET_KEY before the run" },
        { "bad threshold", Valid.Replace("\"steps\"", "\"thresholds\": [\"p95 < fast\"], \"steps\"", StringComparison.Ordinal), "scenarios.json:5:22: $.scenarios.s.thresholds[0]: threshold \"p95 < fast\": column 7: p95 takes a duration such as 500ms or 1s (a bare number is milliseconds), found 'fast'" },
        { "bad rate", Valid.Replace("\"steps\"", "\"load\": { \"inject\": { \"rate\": \"50\", \"during\": \"1m\" } }, \"steps\"", StringComparison.Ordinal), "scenarios.json:5:37: $.scenarios.s.load.inject.rate: expected a rate such as \"50/s\", \"600/m\" or \"10/5s\", found \"50\"" },
        { "bad stages", Valid.Replace("\"steps\"", "\"load\": { \"stages\": \"2m→10, 5m\" }, \"steps\"", StringComparison.Ordinal), "scenarios.json:5:27: $.scenarios.s.load.stages: stage 2 '5m' is not 'duration→copies' (for example 2m→10); write stages as \"2m→10, 5m→50, 2m→0\"" },
        { "two step kinds", Valid.Replace("\"http\": { \"path\": \"/health\" }", "\"http\": { \"path\": \"/health\" }, \"rag\": {}", StringComparison.Ordinal), "scenarios.json:5:18: $.scenarios.s.steps[0]: a step has exactly one of http, rag, postgres, tls, tcp, dns, grpc, browser, sequence; found http and rag" },
        { "no scenarios", """{ "targets": { "demo": { "url": "http://127.0.0.1:5080" } } }""", "scenarios.json:1:1: $: 'scenarios' is required: an object of named scenarios, for example \"scenarios\": { \"smoke\": { \"target\": \"demo\", \"steps\": [...] } }" },
        { "bad url", Valid.Replace("http://127.0.0.1:5080", "127.0.0.1:5080", StringComparison.Ordinal), "scenarios.json:2:33: $.targets.demo.url: expected an absolute http or https URL such as \"http://127.0.0.1:5080\", found \"127.0.0.1:5080\"" },
        { "unextracted variable", Valid.Replace("\"http\": { \"path\": \"/health\" }", "\"sequence\": { \"steps\": [ { \"name\": \"a\", \"http\": { \"path\": \"/x\" }, \"extract\": { \"id\": \"body.id\" } }, { \"name\": \"b\", \"http\": { \"path\": \"/y/${vars.idd}\" } } ] }", StringComparison.Ordinal), "scenarios.json:5:133: $.scenarios.s.steps[0].sequence.steps[1]: ${vars.idd} is not extracted by an earlier step of the sequence (did you mean 'id'?); add \"extract\": { \"idd\": \"body.…\" } to one" },
        { "bad cron", Valid.Replace("\"steps\"", "\"schedule\": { \"cron\": \"0 25 * * *\" }, \"steps\"", StringComparison.Ordinal), "scenarios.json:5:29: $.scenarios.s.schedule.cron: hour field \"25\": \"25\" is not a value from 0 to 23; found \"0 25 * * *\"" },
        { "bad overlap", Valid.Replace("\"steps\"", "\"schedule\": { \"every\": \"30s\", \"overlap\": \"skp\" }, \"steps\"", StringComparison.Ordinal), "scenarios.json:5:48: $.scenarios.s.schedule.overlap: expected \"skip\" (a run due while the previous one is still going is skipped and counted) or \"queue\" (it starts when the previous one ends), found \"skp\" (did you mean 'skip'?)" },
        { "jitter not shorter than the period", Valid.Replace("\"steps\"", "\"schedule\": { \"every\": \"30s\", \"jitter\": \"30s\" }, \"steps\"", StringComparison.Ordinal), "scenarios.json:5:47: $.scenarios.s.schedule.jitter: must be shorter than the period (30s), found \"30s\"" },
        { "bad http version", Valid.Replace("\"http://127.0.0.1:5080\"", "\"http://127.0.0.1:5080\", \"http\": \"3\"", StringComparison.Ordinal), "scenarios.json:2:66: $.targets.demo.http: expected \"1.1\" or \"2\" (leave it out for what ALPN gives), found \"3\"" },
        { "streams without http 2", Valid.Replace("\"http://127.0.0.1:5080\"", "\"http://127.0.0.1:5080\", \"streams_per_connection\": 10", StringComparison.Ordinal), "scenarios.json:2:84: $.targets.demo.streams_per_connection: streams_per_connection is for HTTP/2 targets: add \"http\": \"2\" to the target, or leave it out" },
        { "per iteration over http 2", Valid.Replace("\"http://127.0.0.1:5080\"", "\"http://127.0.0.1:5080\", \"http\": \"2\", \"new_connection_per_iteration\": true", StringComparison.Ordinal), "scenarios.json:2:103: $.targets.demo.new_connection_per_iteration: new connections per iteration are an HTTP/1.1 policy (HTTP/2 shares a connection between users): leave out \"http\": \"2\", or this" },
        { "client certificate on http", Valid.Replace("\"http://127.0.0.1:5080\"", "\"http://127.0.0.1:5080\", \"client_certificate\": { \"cert\": \"client.pem\" }", StringComparison.Ordinal), "scenarios.json:2:80: $.targets.demo.client_certificate: a client certificate is sent only over TLS: the target's URL is http://, use https://" },
        { "missing client certificate", Valid.Replace("\"http://127.0.0.1:5080\"", "\"https://127.0.0.1:5443\", \"client_certificate\": { \"cert\": \"no/such/client.pem\", \"key\": \"no/such/client.key\" }", StringComparison.Ordinal), "scenarios.json:2:91: $.targets.demo.client_certificate.cert: no file 'no/such/client.pem' (paths are relative to the working directory, where probe runs)" },
        { "client certificate password in the clear", Valid.Replace("\"http://127.0.0.1:5080\"", "\"https://127.0.0.1:5443\", \"client_certificate\": { \"cert\": \"client.p12\", \"password\": \"hunter2\" }", StringComparison.Ordinal), "scenarios.json:2:117: $.targets.demo.client_certificate.password: a password goes in the suite only by reference: \"${env:NAME}\"" },
        { "think range backwards", Valid.Replace("\"checks\"", "\"think\": \"3s..1s\", \"checks\"", StringComparison.Ordinal), "scenarios.json:5:73: $.scenarios.s.steps[0].think: a think range goes from the shorter time to the longer, such as \"1s..3s\", found \"3s..1s\"" },
        { "think range with a bad end", Valid.Replace("\"checks\"", "\"think\": \"1s..soon\", \"checks\"", StringComparison.Ordinal), "scenarios.json:5:73: $.scenarios.s.steps[0].think: a think range is two durations, such as \"1s..3s\": expected a number at 'soon' in 'soon' (a duration such as 250ms, 1s or 2m), found \"1s..soon\"" },
        { "a header value with a line break", Valid.Replace("\"path\": \"/health\"", "\"path\": \"/health\", \"headers\": { \"X-A\": \"a\\r\\nX-B: b\" }", StringComparison.Ordinal), "scenarios.json:5:82: $.scenarios.s.steps[0].http.headers.X-A: a header value may not hold CR, LF or NUL: they would end the header and start another one; write each header as its own member" },
        { "a header name with a space", Valid.Replace("\"path\": \"/health\"", "\"path\": \"/health\", \"headers\": { \"X A\": \"a\" }", StringComparison.Ordinal), "scenarios.json:5:82: $.scenarios.s.steps[0].http.headers[\"X A\"]: a header name is a token: letters, digits and !#$%&'*+-.^_`|~ (no spaces or colons), found \"X A\"" },
        { "unknown golden set", Valid.Replace("\"http\": { \"path\": \"/health\" }", "\"rag\": { \"golden\": \"faq\" }", StringComparison.Ordinal), "scenarios.json:5:52: $.scenarios.s.steps[0].rag.golden: no golden set 'faq'; sets: none (add 'golden' to the suite)" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Parse_BrokenSuite_ReportsEveryErrorWithFileLineColumnAndPath(string what, string json, string errors)
    {
        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(json));
        Assert.True(errors == string.Join("\n", e.Errors), $"{what}:\n{string.Join("\n", e.Errors)}");
    }

    [Theory]
    [InlineData("2s", 2000, 0)]
    [InlineData("1s..3s", 1000, 3000)]
    [InlineData("0s..500ms", 0, 500)]
    public void Parse_Think_IsADurationOrARange(string think, int least, int upTo)
    {
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes(Valid.Replace("\"checks\"", $"\"think\": \"{think}\", \"checks\"", StringComparison.Ordinal)), "scenarios.json");

        Probe.Scenarios.Steps.StepSpec step = Assert.Single(Assert.Single(suite.Scenarios).Steps);
        Assert.Equal((TimeSpan.FromMilliseconds(least), TimeSpan.FromMilliseconds(upTo)), (step.Think, step.ThinkUpTo));
    }

    [Fact]
    public void Parse_SeveralErrors_ReportsAllAtOnceInFileOrder()
    {
        string json = Valid
            .Replace("\"path\"", "\"pth\"", StringComparison.Ordinal)
            .Replace("status == 200", "stauts == 200", StringComparison.Ordinal)
            .Replace("\"targets\"", "\"version\": 2, \"targets\"", StringComparison.Ordinal);

        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Parse(json));

        Assert.Equal(["$.version", "$.scenarios.s.steps[0].http", "$.scenarios.s.steps[0].http.pth", "$.scenarios.s.steps[0].checks[0]"], e.Errors.Select(x => x.Path));
        Assert.StartsWith("4 errors:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DefaultSuite_IsValidAndHasTheSeedsScenarios()
    {
        SuiteDefinition suite = SuiteLoader.Load(Path.Combine(Repository.Root, "scenarios.json"));

        Assert.Equal(["smoke", "ramp-50", "rag", "chat"], suite.Scenarios.Select(s => s.Name));
        Assert.True(suite.Targets["demo"].Demo);
        Assert.Equal(new Uri("http://127.0.0.1:5080"), suite.Targets["demo"].Url);
        Assert.True(suite.Golden["demo-faq"].Count >= 10);
        ScenarioSpec ramp = suite.Scenario("ramp-50")!;
        Assert.Equal(Simulation.Stages("2m→10, 5m→50, 2m→0"), ramp.Load);
        Assert.Equal(["p95 < 500ms", "error_rate < 1%", "error_rate < 5% over 30s"], ramp.Thresholds.Select(t => t.Expression));
        Assert.True(ramp.Thresholds[2].AbortOnFail);
        Assert.Equal(11, suite.Scenario("smoke")!.Steps.Count);
        Assert.Equal(["availability", "search-latency"], suite.Slos.Select(s => s.Name));
        Assert.Equal(0.999, suite.Slos[0].Objective, 9);
    }

    [Theory]
    [InlineData("swipesavvy.json")]
    [InlineData("rag-chatbot.json")]
    [InlineData("cutting-edge.json")]
    [InlineData("linda-bot.json")]
    [InlineData("berrys-agents.json")]
    [InlineData("k6-style.json")]
    [InlineData("llm-openai.json")]
    [InlineData("llm-anthropic.json")]
    public void Load_SeedExample_IsValidAndTargetsLoopbackOnly(string file)
    {
        SuiteDefinition suite = SuiteLoader.Load(Path.Combine(Repository.Root, "examples", file));

        Assert.NotEmpty(suite.Scenarios);
        Assert.All(suite.Targets.Values, t => Assert.True(t.Url.IsLoopback, $"{t.Name} must target loopback, not {t.Url}"));
    }

    [Fact]
    public void Load_TargetOverride_ReplacesTheUrl()
    {
        SuiteDefinition suite = SuiteLoader.Parse(System.Text.Encoding.UTF8.GetBytes(Valid), "s.json", new Dictionary<string, string> { ["demo"] = "http://127.0.0.1:9999" });
        Assert.Equal(new Uri("http://127.0.0.1:9999"), suite.Targets["demo"].Url);
    }

    [Fact]
    public void Load_MissingFile_SaysItCannotReadIt()
    {
        var e = Assert.Throws<SuiteException>(() => SuiteLoader.Load("/nonexistent/suite.json"));
        Assert.StartsWith("/nonexistent/suite.json:0:0: $: cannot read the suite file: ", e.Message, StringComparison.Ordinal);
    }

}
