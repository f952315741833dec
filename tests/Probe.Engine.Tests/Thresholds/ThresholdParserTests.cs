using Probe.Engine.Stats;
using Probe.Engine.Thresholds;

namespace Probe.Engine.Tests.Thresholds;

public class ThresholdParserTests
{
    public static TheoryData<string, ThresholdMetric, double, Comparison, double, long?> Valid => new()
    {
        { "p95 < 1s", ThresholdMetric.Percentile, 95, Comparison.Less, 1e9, null },
        { "p99 <= 2000ms", ThresholdMetric.Percentile, 99, Comparison.LessOrEqual, 2e9, null },
        { "p99.9<250ms", ThresholdMetric.Percentile, 99.9, Comparison.Less, 2.5e8, null },
        { "error_rate < 1%", ThresholdMetric.ErrorRate, 0, Comparison.Less, 0.01, null },
        { "error_rate < 0.05", ThresholdMetric.ErrorRate, 0, Comparison.Less, 0.05, null },
        { "rps >= 40", ThresholdMetric.Rps, 0, Comparison.GreaterOrEqual, 40, null },
        { "rps > 12.5/s", ThresholdMetric.Rps, 0, Comparison.Greater, 12.5, null },
        { "dropped == 0", ThresholdMetric.Dropped, 0, Comparison.Equal, 0, null },
        { "mean < 300ms", ThresholdMetric.Mean, 0, Comparison.Less, 3e8, null },
        { "max != 5s", ThresholdMetric.Max, 0, Comparison.NotEqual, 5e9, null },
        { "latency.min > 10us", ThresholdMetric.Min, 0, Comparison.Greater, 1e4, null },
        { "count >= 100", ThresholdMetric.Count, 0, Comparison.GreaterOrEqual, 100, null },
        { "failures == 0", ThresholdMetric.Failures, 0, Comparison.Equal, 0, null },
        { "p95 < 1s over 5m", ThresholdMetric.Percentile, 95, Comparison.Less, 1e9, 3_000_000_000L },
        { "  error_rate<2% over 30s  ", ThresholdMetric.ErrorRate, 0, Comparison.Less, 0.02, 300_000_000L },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parse_ValidExpression_GivesMetricComparisonBoundAndWindow(string text, ThresholdMetric metric, double percentile, Comparison comparison, double bound, long? windowTicks)
    {
        Threshold t = ThresholdParser.Parse(text);
        Assert.Equal(metric, t.Metric);
        Assert.Equal(percentile, t.Percentile);
        Assert.Equal(comparison, t.Comparison);
        Assert.Equal(bound, t.Bound, 6);
        Assert.Equal(windowTicks, t.Window?.Ticks);
        Assert.Equal(text.Trim(), t.Text);
    }

    [Theory]
    [InlineData("ttft p95 < 500ms", LlmMeasure.TimeToFirstToken, ThresholdMetric.Percentile, 95, 5e8)]
    [InlineData("ttft.p95 < 500ms", LlmMeasure.TimeToFirstToken, ThresholdMetric.Percentile, 95, 5e8)]
    [InlineData("itl p99 < 50ms", LlmMeasure.InterTokenLatency, ThresholdMetric.Percentile, 99, 5e7)]
    [InlineData("tpot p50 < 30ms", LlmMeasure.TimePerOutputToken, ThresholdMetric.Percentile, 50, 3e7)]
    [InlineData("e2e max < 10s", LlmMeasure.EndToEnd, ThresholdMetric.Max, 0, 1e10)]
    [InlineData("output_tps mean > 20", LlmMeasure.OutputTokensPerSecond, ThresholdMetric.Mean, 0, 20)]
    [InlineData("output_tps p5 >= 12.5/s", LlmMeasure.OutputTokensPerSecond, ThresholdMetric.Percentile, 5, 12.5)]
    public void Parse_LlmFigure_ReadsTheFigureAndItsStatistic(string text, LlmMeasure measure, ThresholdMetric metric, double percentile, double bound)
    {
        Threshold t = ThresholdParser.Parse(text);
        Assert.Equal((measure, metric, percentile, bound), (t.Llm!.Value, t.Metric, t.Percentile, t.Bound));
        Assert.Equal(measure != LlmMeasure.OutputTokensPerSecond, t.IsTime);
    }

    [Theory]
    [InlineData("p(95)<500", ThresholdMetric.Percentile, 95, Comparison.Less, 5e8, false)]
    [InlineData("p(99.9) < 1500", ThresholdMetric.Percentile, 99.9, Comparison.Less, 1.5e9, false)]
    [InlineData("p95 < 500", ThresholdMetric.Percentile, 95, Comparison.Less, 5e8, false)]
    [InlineData("p(90) < 2.5s", ThresholdMetric.Percentile, 90, Comparison.Less, 2.5e9, false)]
    [InlineData("avg<200", ThresholdMetric.Mean, 0, Comparison.Less, 2e8, false)]
    [InlineData("med<=150", ThresholdMetric.Percentile, 50, Comparison.LessOrEqual, 1.5e8, false)]
    [InlineData("min>1", ThresholdMetric.Min, 0, Comparison.Greater, 1e6, false)]
    [InlineData("max<3000", ThresholdMetric.Max, 0, Comparison.Less, 3e9, false)]
    [InlineData("http_req_duration p(95)<500", ThresholdMetric.Percentile, 95, Comparison.Less, 5e8, true)]
    [InlineData("http_req_duration: avg<200", ThresholdMetric.Mean, 0, Comparison.Less, 2e8, true)]
    [InlineData("http_req_duration:med<100", ThresholdMetric.Percentile, 50, Comparison.Less, 1e8, true)]
    [InlineData("iteration_duration p(99)<1000", ThresholdMetric.Percentile, 99, Comparison.Less, 1e9, false)]
    [InlineData("http_req_failed rate<0.01", ThresholdMetric.ErrorRate, 0, Comparison.Less, 0.01, true)]
    [InlineData("http_req_failed: rate<=1%", ThresholdMetric.ErrorRate, 0, Comparison.LessOrEqual, 0.01, true)]
    [InlineData("checks rate>0.99", ThresholdMetric.CheckRate, 0, Comparison.Greater, 0.99, false)]
    [InlineData("checks: rate>=99%", ThresholdMetric.CheckRate, 0, Comparison.GreaterOrEqual, 0.99, false)]
    [InlineData("http_reqs count>100", ThresholdMetric.Count, 0, Comparison.Greater, 100, true)]
    [InlineData("http_reqs rate>50", ThresholdMetric.Rps, 0, Comparison.Greater, 50, true)]
    [InlineData("iterations count>=10", ThresholdMetric.Count, 0, Comparison.GreaterOrEqual, 10, false)]
    [InlineData("iterations: rate>2", ThresholdMetric.Rps, 0, Comparison.Greater, 2, false)]
    [InlineData("count >= 100", ThresholdMetric.Count, 0, Comparison.GreaterOrEqual, 100, false)]
    public void Parse_K6Forms_MeanWhatTheyMeanInK6(string text, ThresholdMetric metric, double percentile, Comparison comparison, double bound, bool onRequests)
    {
        Threshold t = ThresholdParser.Parse(text);
        Assert.Equal((metric, percentile, comparison, onRequests), (t.Metric, t.Percentile, t.Comparison, t.OnRequests));
        Assert.Equal(bound, t.Bound, 6);
        Assert.Equal(text, t.Text);
    }

    [Fact]
    public void Parse_Goodput_ReadsEveryObjectiveAndTheShare()
    {
        Threshold t = ThresholdParser.Parse("goodput( ttft < 1s,tpot<=50ms , e2e < 20s, output_tps > 10 ) >= 95%");

        Assert.Equal((ThresholdMetric.Goodput, Comparison.GreaterOrEqual, 0.95), (t.Metric, t.Comparison, t.Bound));
        Assert.Equal(
        [
            new LlmObjective(LlmMeasure.TimeToFirstToken, Comparison.Less, 1e9),
            new LlmObjective(LlmMeasure.TimePerOutputToken, Comparison.LessOrEqual, 5e7),
            new LlmObjective(LlmMeasure.EndToEnd, Comparison.Less, 2e10),
            new LlmObjective(LlmMeasure.OutputTokensPerSecond, Comparison.Greater, 10),
        ], t.Objectives);
    }

    [Fact]
    public void Parse_ServicePrefix_ReadsServiceTime()
    {
        Assert.True(ThresholdParser.Parse("service.p95 < 100ms").OnServiceTime);
        Assert.False(ThresholdParser.Parse("latency.p95 < 100ms").OnServiceTime);
    }

    [Theory]
    [InlineData("", "column 1: expected a metric (p95, mean, max, error_rate, rps, dropped, ttft p95, goodput(…)…), found the end")]
    [InlineData("< 1s", "column 1: expected a metric (p95, mean, max, error_rate, rps, dropped, ttft p95, goodput(…)…), found '<'")]
    [InlineData("p95x < 1s", "column 1: unknown metric 'p95x'; expected p<0-100> (such as p95), mean, min, max, error_rate, rps, dropped, count, failures, an LLM figure (ttft, itl, tpot, e2e, output_tps) with a statistic, goodput(…), or k6's forms (avg, med, p(95), http_req_duration p(95)<500, http_req_failed rate<0.01, checks rate>0.99) (did you mean 'p95'?)")]
    [InlineData("eror_rate < 1%", "column 1: unknown metric 'eror_rate'; expected p<0-100> (such as p95), mean, min, max, error_rate, rps, dropped, count, failures, an LLM figure (ttft, itl, tpot, e2e, output_tps) with a statistic, goodput(…), or k6's forms (avg, med, p(95), http_req_duration p(95)<500, http_req_failed rate<0.01, checks rate>0.99) (did you mean 'error_rate'?)")]
    [InlineData("latency < 1s", "column 1: unknown metric 'latency'; expected p<0-100> (such as p95), mean, min, max, error_rate, rps, dropped, count, failures, an LLM figure (ttft, itl, tpot, e2e, output_tps) with a statistic, goodput(…), or k6's forms (avg, med, p(95), http_req_duration p(95)<500, http_req_failed rate<0.01, checks rate>0.99)")]
    [InlineData("p101 < 1s", "column 1: percentile 'p101' must be from p0 to p100")]
    [InlineData("p95 1s", "column 5: expected a comparison (<, <=, >, >=, ==, !=), found '1s'")]
    [InlineData("p95 =< 1s", "column 5: expected a comparison (<, <=, >, >=, ==, !=), found '=<'")]
    [InlineData("p95 <", "column 6: p95 takes a duration such as 500ms or 1s (a bare number is milliseconds), found the end")]
    [InlineData("p95 < 5%", "column 7: p95 takes a duration such as 500ms or 1s (a bare number is milliseconds), found '5%'")]
    [InlineData("error_rate < 2s", "column 14: error_rate takes a percentage such as 1% or a ratio such as 0.01, found '2s'")]
    [InlineData("error_rate < 150%", "column 14: error_rate must be from 0% to 100% (or a ratio from 0 to 1), found '150%'")]
    [InlineData("rps >= fast", "column 8: rps takes a number of results per second such as 40, found 'fast'")]
    [InlineData("dropped == 0.5", "column 12: dropped takes a whole number such as 0, found '0.5'")]
    [InlineData("p95 < 1s during 5m", "column 10: expected 'over <duration>' or the end, found 'during'")]
    [InlineData("p95 < 1s over", "column 14: expected a duration after 'over', such as 5m, found the end")]
    [InlineData("p95 < 1s over soon", "column 15: expected a duration after 'over': expected a number at 'soon' in 'soon' (a duration such as 250ms, 1s or 2m)")]
    [InlineData("p95 < 1s over 500ms", "column 15: a window must be at least 1s, found '500ms'")]
    [InlineData("p95 < 1s over 5m extra", "column 18: expected the end, found 'extra'")]
    [InlineData("service.p95 < 1s over 5m", "column 18: windows ('over') apply to latency, error_rate, rps and counts, not to service time")]
    [InlineData("ttft < 1s", "column 6: expected a statistic after 'ttft' (p50, p95, p99, mean, min, max), found '<'")]
    [InlineData("ttft.rps < 1s", "column 6: expected a statistic after 'ttft' (p50, p95, p99, mean, min, max), found 'rps'")]
    [InlineData("output_tps mean > fast", "column 19: output_tps takes tokens per second such as 20, found 'fast'")]
    [InlineData("ttft p95 < 1s over 5m", "column 15: windows ('over') apply to latency, error_rate, rps and counts, not to LLM figures")]
    [InlineData("goodput ttft < 1s", "column 9: expected '(' and the objectives each request must meet, as goodput(ttft < 1s, tpot < 50ms), found 'ttft'")]
    [InlineData("goodput(itl < 1s) > 90%", "column 9: expected a per-request objective on ttft, tpot, e2e or output_tps, found 'itl' (inter-token gaps are many per request: use tpot, their mean)")]
    [InlineData("goodput(ttft < 1s tpot < 50ms) > 90%", "column 19: expected ',' and another objective, or ')', found 'tpot'")]
    [InlineData("goodput(ttft < fast) > 90%", "column 16: ttft takes a duration such as 500ms or 1s (a bare number is milliseconds), found 'fast'")]
    [InlineData("rate < 0.01", "column 1: 'rate' reads a k6 rate metric; say which: http_req_failed rate<0.01 (the error rate), checks rate>0.99 (checks that held) or http_reqs rate>100 (per second)")]
    [InlineData("p(95 < 500", "column 1: expected a percentile such as p(95) or p(99.9), found 'p(95'")]
    [InlineData("p(x)<500", "column 1: expected a percentile such as p(95) or p(99.9), found 'p(x'")]
    [InlineData("http_req_duration rate<0.01", "column 19: http_req_duration is a trend: it takes p(N), avg, med, min or max, found 'rate'")]
    [InlineData("http_req_failed p(95)<500", "column 17: http_req_failed is a rate: it takes rate, such as rate<0.01, found 'p95'")]
    [InlineData("checks: count>10", "column 9: checks is a rate: it takes rate, such as rate<0.01, found 'count'")]
    [InlineData("http_reqs avg<10", "column 11: http_reqs is a counter: it takes count or rate (per second), found 'avg'")]
    [InlineData("http_req_failed rate<2%x", "column 22: error_rate takes a percentage such as 1% or a ratio such as 0.01, found '2%x'")]
    [InlineData("checks rate>0.99 over 1m", "column 18: windows ('over') apply to latency, error_rate, rps and counts, not to checks")]
    [InlineData("goodput(ttft < 1s) > 2s", "column 22: goodput takes a percentage such as 95% or a ratio such as 0.95, found '2s'")]
    public void TryParse_InvalidExpression_NamesTheColumnAndWhatWasExpected(string text, string message)
    {
        Assert.False(ThresholdParser.TryParse(text, out _, out ThresholdParseError? error));
        Assert.Equal(message, error.ToString());
    }

    [Fact]
    public void Parse_InvalidExpression_ThrowsFormatExceptionQuotingTheExpression()
    {
        var e = Assert.Throws<FormatException>(() => ThresholdParser.Parse("p95 < fast"));
        Assert.Equal("threshold 'p95 < fast': column 7: p95 takes a duration such as 500ms or 1s (a bare number is milliseconds), found 'fast'", e.Message);
    }

    [Theory]
    [InlineData(Comparison.Less, 0.9, true)]
    [InlineData(Comparison.Less, 1.0, false)]
    [InlineData(Comparison.LessOrEqual, 1.0, true)]
    [InlineData(Comparison.Greater, 1.0, false)]
    [InlineData(Comparison.GreaterOrEqual, 1.0, true)]
    [InlineData(Comparison.Equal, 1.0, true)]
    [InlineData(Comparison.NotEqual, 1.0, false)]
    public void Holds_ComparesObservedWithTheBound(Comparison comparison, double observed, bool holds)
    {
        var threshold = new Threshold("x", ThresholdMetric.Rps, 0, comparison, 1.0, null);
        Assert.Equal(holds, threshold.Holds(observed));
    }
}
