using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Tests.Suite;

/// <summary>What a k6 user writes in a suite: the thresholds object keyed by metric, and stages as an array.</summary>
public class K6SyntaxTests
{
    private static SuiteDefinition Parse(string scenarioFields) => SuiteLoader.Parse($$"""
        {
          "targets": { "demo": { "url": "http://127.0.0.1:5080" } },
          "scenarios": {
            "s": {
              {{scenarioFields}}
              "steps": [ { "name": "search", "http": { "path": "/search" }, "checks": ["status == 200"] },
                         { "name": "health", "http": { "path": "/health" } } ]
            }
          }
        }
        """);

    [Fact]
    public void Thresholds_K6Object_BecomesOneThresholdPerExpressionOnItsMetric()
    {
        SuiteDefinition suite = Parse("""
            "thresholds": {
              "http_req_duration": ["p(95)<500", "avg<200"],
              "http_req_failed": "rate<0.01",
              "checks": [{ "threshold": "rate>0.99", "abortOnFail": true, "delayAbortEval": "10s" }],
              "http_req_duration{name:search}": ["med<100"]
            },
            """);

        var specs = Assert.Single(suite.Scenarios).Thresholds;
        Assert.Equal(
            [
                ("http_req_duration p(95)<500", null, false),
                ("http_req_duration avg<200", null, false),
                ("http_req_failed rate<0.01", null, false),
                ("checks rate>0.99", null, true),
                ("http_req_duration med<100", "search", false),
            ],
            specs.Select(t => (t.Expression, t.Step, t.AbortOnFail)));
        Assert.Equal(TimeSpan.FromSeconds(10), specs[3].DelayAbortEval);
        Assert.Equal(ThresholdMetric.CheckRate, specs[3].Parse().Metric);
    }

    public static TheoryData<string, string> Broken => new()
    {
        { "\"thresholds\": { \"http_req_duraton\": [\"p(95)<500\"] },", "$.scenarios.s.thresholds.http_req_duraton: unknown k6 metric 'http_req_duraton' (did you mean 'http_req_duration'?); Probe reads http_req_duration, http_req_failed, http_reqs, iteration_duration, iterations, checks (or write thresholds as an array of strings such as \"p95 < 1s\")" },
        { "\"thresholds\": { \"http_req_duration{name:login}\": [\"p(95)<500\"] },", "$.scenarios.s.thresholds[\"http_req_duration{name:login}\"]: 'http_req_duration{name:login}': Probe reads a metric tagged with one of the scenario's steps, such as http_req_duration{name:search}; steps: search, health" },
        { "\"thresholds\": { \"http_req_failed\": [\"p(95)<500\"] },", "$.scenarios.s.thresholds.http_req_failed[0]: threshold \"http_req_failed p(95)<500\": column 17: http_req_failed is a rate: it takes rate, such as rate<0.01, found 'p95'" },
        { "\"thresholds\": { \"checks\": [{ \"treshold\": \"rate>0.9\" }] },", "$.scenarios.s.thresholds.checks[0]: 'threshold' is required, for example \"threshold\": \"p(95)<500\"" },
        { "\"load\": { \"stages\": [{ \"duration\": \"2m\", \"target\": -1 }] },", "$.scenarios.s.load.stages[0].target: must be from 0 to 1000000, found -1" },
        { "\"load\": { \"stages\": [{ \"duration\": \"2 min\", \"target\": 10 }] },", "$.scenarios.s.load.stages[0].duration: unknown unit ' min' in '2 min': use ns, us, ms, s, m, h or d, found \"2 min\"" },
        { "\"load\": { \"stages\": [] },", "$.scenarios.s.load.stages: expected at least one stage such as {\"duration\": \"2m\", \"target\": 10}" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Parse_K6FormWrong_SaysWhereAndWhatProbeReads(string fields, string error)
    {
        var e = Assert.Throws<SuiteException>(() => Parse(fields));

        Assert.Contains(error, e.Errors.Select(x => $"{x.Path}: {x.Message}"));
    }

    [Fact]
    public void Load_K6StagesArray_RampsLikeTheOneLineForm()
    {
        SuiteDefinition array = Parse("""
            "load": { "stages": [ { "duration": "2m", "target": 10 }, { "duration": "5m", "target": 50 }, { "duration": "2m", "target": 0 } ] },
            """);
        SuiteDefinition pasted = Parse("""
            "load": [ { "duration": "2m", "target": 10 }, { "duration": "5m", "target": 50 }, { "duration": "2m", "target": 0 } ],
            """);
        SuiteDefinition line = Parse("""
            "load": { "stages": "2m→10, 5m→50, 2m→0" },
            """);

        IReadOnlyList<LoadSimulation> expected = line.Scenarios[0].Load;
        Assert.Equal(3, expected.Count);
        Assert.Equal(expected, array.Scenarios[0].Load);
        Assert.Equal(expected, pasted.Scenarios[0].Load);
    }
}
