using System.Globalization;
using System.Net;
using System.Text;
using Probe.Engine.Running;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports.Html;

/// <summary>
/// Writes <c>report.html</c>: one self-contained page (inline CSS and SVG, a few lines of inline script,
/// no network) with everything summary.json has — the verdict, why a run is invalid, thresholds; per
/// scenario the load and throughput (and the load changes made while it ran), latency percentiles over time and the latency distribution (a
/// table instead for a handful of iterations), each step's figures, failure reasons and messages,
/// every check with its last failing value, and the RAG/LLM figures with every golden question.
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
            section{overflow-x:auto}
            .verdict{display:inline-block;padding:4px 12px;border-radius:4px;color:#fff;font-weight:700}
            .passed{background:#16a34a} .failed{background:#dc2626} .invalid{background:#9333ea}
            table{border-collapse:collapse;width:100%;margin:8px 0} th,td{border-bottom:1px solid #eee;padding:4px 6px;text-align:right;vertical-align:top}
            th:first-child,td:first-child,th.text{text-align:left} td.text{text-align:left;overflow-wrap:anywhere} .fail{color:#dc2626;font-weight:600} .pass{color:#16a34a}
            .chart{width:100%;height:auto;margin:8px 0} .meta{color:#555} code{background:#f4f4f5;padding:0 3px;overflow-wrap:anywhere}
            </style></head><body>
            <h1>Probe run: {{E(info.Suite)}} <span id="verdict" class="verdict {{verdictClass}}">{{verdict}}</span></h1>
            <p class="meta">Started {{started}} UTC · took {{took}} · region {{E(info.Region)}} · host {{E(info.Host)}}{{commit}} · exit code {{exitCode}}</p>

            """);
        if (!result.IsValid)
        {
            html.Append("<section id=\"invalid\"><h2>The run is invalid</h2><ul>");
            foreach (string reason in result.InvalidReasons.Concat(result.AbortReason is null ? [] : [$"aborted: {result.AbortReason}"]))
            {
                html.Append("<li>").Append(E(reason)).Append("</li>");
            }

            html.Append("</ul></section>");
        }

        html.Append("<section id=\"thresholds\"><h2>Thresholds</h2><table><tr><th>where</th><th>threshold</th><th>observed</th><th>result</th></tr>");
        foreach (ThresholdResult t in result.Thresholds)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(t.Subject)}</td><td class=\"text\"><code>{E(t.Expression)}</code></td><td class=\"text\">{E(t.ObservedText)}{(t.Note is null ? string.Empty : $"<br><small>{E(t.Note)}</small>")}</td><td class=\"{(t.Passed ? "pass" : "fail")}\">{(t.Passed ? "pass" : "FAIL")}</td></tr>");
        }

        html.Append("</table></section>");
        if (result.LoadChanges.Count > 0)
        {
            html.Append("<section id=\"load-changes\"><h2>Load changes during the run</h2><table><tr><th>at</th><th class=\"text\">scenario</th><th class=\"text\">change</th><th class=\"text\">by</th></tr>");
            foreach (LoadChange change in result.LoadChanges)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{change.At.TotalSeconds:0.0} s</td><td class=\"text\">{E(change.Scenario)}</td><td class=\"text\">{E(change.Text)}</td><td class=\"text\">{E(change.Source ?? string.Empty)}</td></tr>");
            }

            html.Append("</table></section>");
        }

        for (int i = 0; i < result.Scenarios.Count; i++)
        {
            HtmlScenario.Append(html, report, result.Scenarios[i], i);
        }

        html.Append("""
            <script>
            // Marks the page once every chart has drawn something and no section is wider than the page; tests read this in a real browser.
            const charts = document.querySelectorAll('svg.chart');
            document.body.dataset.charts = String(charts.length);
            document.body.dataset.rendered = Array.from(charts).every(c => c.querySelector('polyline,rect')) ? 'yes' : 'no';
            const wide = Array.from(document.querySelectorAll('section')).filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.id);
            document.body.dataset.overflowing = wide.length ? wide.join(' ') : 'none';
            </script>
            </body></html>
            """);
        return html.ToString();
    }

    internal static string Ms(long ns) => DurationText.FormatNanoseconds(ns);

    internal static string E(string text) => WebUtility.HtmlEncode(text);
}
