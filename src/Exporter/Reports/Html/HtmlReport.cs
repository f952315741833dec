using System.Globalization;
using System.Net;
using System.Text;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports.Html;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (inline CSS and SVG, a few lines of inline script,
/// no network) with the verdict, per scenario charts of throughput, latency percentiles and errors
/// over time and the latency distribution, tables per step, and the thresholds.
/// </summary>
public static class HtmlReport
{
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        var html = new StringBuilder();
        string verdict = result.Verdict.ToString().ToUpperInvariant();
        string commit = info.GitCommit is null ? string.Empty : $" · commit {E(info.GitCommit[..Math.Min(12, info.GitCommit.Length)])}";
        string took = E(DurationText.FormatNanoseconds(result.Duration.Ticks * 100));
        string verdictClass = result.Verdict.ToString().ToLowerInvariant();
        string started = result.StartedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        int exitCode = (int)result.ExitCode;
        html.Append($$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Probe: {{E(info.Suite)}} — {{verdict}}</title>
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#111;padding:0 12px}
            h1{font-size:22px} h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd} h3{font-size:15px}
            .verdict{display:inline-block;padding:4px 12px;border-radius:4px;color:#fff;font-weight:700}
            .passed{background:#16a34a} .failed{background:#dc2626} .invalid{background:#9333ea}
            table{border-collapse:collapse;width:100%;margin:8px 0} th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:right}
            th:first-child,td:first-child{text-align:left} .fail{color:#dc2626;font-weight:600} .pass{color:#16a34a}
            .chart{width:100%;height:auto;margin:8px 0} .meta{color:#555} code{background:#f4f4f5;padding:0 3px}
            </style></head><body>
            <h1>Probe run: {{E(info.Suite)}} <span id="verdict" class="verdict {{verdictClass}}">{{verdict}}</span></h1>
            <p class="meta">Started {{started}} UTC · took {{took}} · region {{E(info.Region)}} · host {{E(info.Host)}}{{commit}} · exit code {{exitCode}}</p>

            """);
        if (!result.IsValid)
        {
            html.Append("<h2>The run is invalid</h2><ul>");
            foreach (string reason in result.InvalidReasons.Concat(result.AbortReason is null ? [] : [$"aborted: {result.AbortReason}"]))
            {
                html.Append("<li>").Append(E(reason)).Append("</li>");
            }

            html.Append("</ul>");
        }

        if (result.Thresholds.Count > 0)
        {
            html.Append("<h2>Thresholds</h2><table id=\"thresholds\"><tr><th>where</th><th>threshold</th><th>observed</th><th>result</th></tr>");
            foreach (ThresholdResult t in result.Thresholds)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t.Subject)}</td><td><code>{E(t.Expression)}</code></td><td>{E(t.ObservedText)}{(t.Note is null ? string.Empty : $"<br><small>{E(t.Note)}</small>")}</td><td class=\"{(t.Passed ? "pass" : "fail")}\">{(t.Passed ? "pass" : "FAIL")}</td></tr>");
            }

            html.Append("</table>");
        }

        int index = 0;
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            Scenario(html, s, index++);
        }

        html.Append("""
            <script>
            // Marks the page once every chart has drawn something; tests read this in a real browser.
            const charts = document.querySelectorAll('svg.chart');
            document.body.dataset.charts = String(charts.length);
            document.body.dataset.rendered = Array.from(charts).every(c => c.querySelector('polyline,rect')) ? 'yes' : 'no';
            </script>
            </body></html>
            """);
        return html.ToString();
    }

    private static void Scenario(StringBuilder html, ScenarioSnapshot s, int index)
    {
        StepSnapshot it = s.Iterations;
        html.Append(CultureInfo.InvariantCulture, $"<h2>{E(s.Name)}</h2><p>{it.Count} iterations, {it.Fail} failed ({it.ErrorRate * 100:0.##}%), {it.Rps:0.#}/s; latency p50 {Ms(it.Latency.P50Nanoseconds)}, p95 {Ms(it.Latency.P95Nanoseconds)}, p99 {Ms(it.Latency.P99Nanoseconds)}, max {Ms(it.Latency.MaxNanoseconds)}{(s.Dropped > 0 ? $"; <span class=\"fail\">{s.Dropped} dropped</span>" : string.Empty)}</p>");
        var seconds = new List<(double At, SecondSample Sample)>();
        double at = 0;
        foreach (SecondSample sample in it.Seconds)
        {
            at += sample.Duration.TotalSeconds;
            seconds.Add((at, sample));
        }

        // Rates over a last, partial second of a few milliseconds would spike: they are left out of the rate charts.
        var whole = seconds.Where(x => x.Sample.Duration >= TimeSpan.FromSeconds(0.5)).ToArray();
        html.Append(SvgChart.Lines($"rps-{index}", "Iterations per second", [("iterations/s", whole.Select(x => (x.At, x.Sample.Rps)).ToArray())], v => v.ToString("0.#", CultureInfo.InvariantCulture)));
        html.Append(SvgChart.Lines($"latency-{index}", "Latency over time (ms)",
        [
            ("p50", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P50Nanoseconds / 1e6)).ToArray()),
            ("p95", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P95Nanoseconds / 1e6)).ToArray()),
            ("p99", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P99Nanoseconds / 1e6)).ToArray()),
        ], v => v.ToString("0.##", CultureInfo.InvariantCulture)));
        html.Append(SvgChart.Lines($"errors-{index}", "Failed iterations per second", [("failed/s", whole.Select(x => (x.At, x.Sample.Fail / x.Sample.Duration.TotalSeconds)).ToArray())], v => v.ToString("0.#", CultureInfo.InvariantCulture)));
        html.Append(SvgChart.Bars($"distribution-{index}", "Latency distribution (iterations per latency band)", Distribution(it.LatencyHistogram), v => v.ToString("0", CultureInfo.InvariantCulture)));

        html.Append("<h3>Steps</h3><table><tr><th>step</th><th>count</th><th>failed</th><th>rps</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th>status codes</th></tr>");
        foreach (StepSnapshot step in s.Steps.Prepend(it with { Name = "(whole iteration)" }))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(step.Name)}</td><td>{step.Count}</td><td class=\"{(step.Fail > 0 ? "fail" : string.Empty)}\">{step.Fail}</td><td>{step.Rps:0.#}</td><td>{Ms(step.Latency.P50Nanoseconds)}</td><td>{Ms(step.Latency.P90Nanoseconds)}</td><td>{Ms(step.Latency.P95Nanoseconds)}</td><td>{Ms(step.Latency.P99Nanoseconds)}</td><td>{Ms(step.Latency.MaxNanoseconds)}</td><td>{E(string.Join(" ", step.StatusCodes.Select(c => $"{(c.Key < 0 ? "other" : c.Key.ToString(CultureInfo.InvariantCulture))}×{c.Value}")))}</td></tr>");
        }

        html.Append("</table>");
        var failures = s.Steps.SelectMany(step => step.FailureMessages.Select(m => (step.Name, m))).ToArray();
        if (failures.Length > 0)
        {
            html.Append("<h3>Failures seen</h3><ul>");
            foreach ((string step, string message) in failures)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><b>{E(step)}</b>: {E(message)}</li>");
            }

            html.Append("</ul>");
        }
    }

    /// <summary>The histogram in about 24 bands, evenly spaced on a log scale between the fastest and slowest result.</summary>
    private static IReadOnlyList<(string, double)> Distribution(LatencyHistogram histogram)
    {
        var buckets = histogram.Buckets();
        if (buckets.Count == 0)
        {
            return [];
        }

        double low = Math.Log(Math.Max(1, buckets[0].LowNanoseconds));
        double high = Math.Log(Math.Max(2, buckets[^1].HighNanoseconds));
        int bands = Math.Clamp(buckets.Count, 1, 24);
        double width = Math.Max(1e-9, (high - low) / bands);
        double[] counts = new double[bands];
        foreach ((long lo, long hi, long count) in buckets)
        {
            double mid = Math.Log(Math.Max(1, (lo + hi) / 2.0));
            counts[Math.Clamp((int)((mid - low) / width), 0, bands - 1)] += count;
        }

        return counts.Select((c, i) => (Ms((long)Math.Exp(low + (i * width))), c)).ToArray();
    }

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
