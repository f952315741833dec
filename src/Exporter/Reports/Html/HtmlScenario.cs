using System.Globalization;
using System.Text;
using Probe.Engine.Histograms;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using static Probe.Exporter.Reports.Html.HtmlReport;

namespace Probe.Exporter.Reports.Html;

/// <summary>One scenario's section of report.html.</summary>
internal static class HtmlScenario
{
    /// <summary>Fewer iterations than this get a table of figures instead of charts: a chart of three points says nothing.</summary>
    private const int ChartedFrom = 11;

    public static void Append(StringBuilder html, RunReport report, ScenarioSnapshot s, int index)
    {
        StepSnapshot it = s.Iterations;
        html.Append(CultureInfo.InvariantCulture, $"<section id=\"scenario-{index}\" class=\"scenario\"><h2>{E(s.Name)}</h2><p>{it.Count} iterations, {it.Fail} failed ({it.ErrorRate * 100:0.##}%), {it.Rps:0.#}/s; latency p50 {Ms(it.Latency.P50Nanoseconds)}, p95 {Ms(it.Latency.P95Nanoseconds)}, p99 {Ms(it.Latency.P99Nanoseconds)}, max {Ms(it.Latency.MaxNanoseconds)}{(s.Dropped > 0 ? $"; <span class=\"fail\">{s.Dropped} dropped</span>" : string.Empty)}{(s.LateStarts.Count > 0 ? $"; {s.LateStarts.Count} started late" : string.Empty)}</p>");
        LoadChange[] changes = [.. report.Result.LoadChanges.Where(c => c.Scenario == s.Name)];
        if (changes.Length > 0)
        {
            html.Append("<p class=\"load-changes\">Load changed while it ran: ").AppendJoin("; ", changes.Select(c => E(string.Create(CultureInfo.InvariantCulture, $"at {c.At.TotalSeconds:0.0} s {c.Text}")))).Append(" (marked on the load chart).</p>");
        }

        if (it.Count >= ChartedFrom)
        {
            Charts(html, s, index, changes);
        }

        Steps(html, s);
        Checks(html, report.Checks.Where(c => c.Scenario == s.Name).ToArray());
        foreach (LlmFigures llm in report.Llm.Where(l => l.Scenario == s.Name))
        {
            HtmlRag.AppendLlm(html, llm, $"{index}-{llm.Step}");
        }

        foreach (RagStepReport rag in report.Rag.Where(r => r.Scenario == s.Name))
        {
            HtmlRag.Append(html, rag, $"{index}-{rag.Step}");
        }

        html.Append("</section>");
    }

    private static void Charts(StringBuilder html, ScenarioSnapshot s, int index, LoadChange[] changes)
    {
        var seconds = new List<(double At, SecondSample Sample)>();
        double at = 0;
        foreach (SecondSample sample in s.Iterations.Seconds)
        {
            at += sample.Duration.TotalSeconds;
            seconds.Add((at, sample));
        }

        // Rates over a last, partial second of a few milliseconds would spike: they are left out of the rate charts.
        var whole = seconds.Where(x => x.Sample.Duration >= TimeSpan.FromSeconds(0.5)).ToArray();

        // One time axis for the three charts over time: a latency line of a scenario done in two seconds drawn
        // across a 0–2 s axis, under load and rate charts of 0–30 s, read as latency at the end of the run.
        double span = Math.Max(seconds.Select(x => x.At).DefaultIfEmpty(0).Max(), s.Load.Select(l => l.Second + 1.0).DefaultIfEmpty(0).Max());
        bool open = s.SchedulerLag.Count > 0;
        html.Append(SvgChart.Lines($"load-{index}", open ? "Load: planned arrivals per second, and iterations in flight" : "Load: virtual users (copies), planned and running",
        [
            (open ? "arrivals/s planned" : "copies planned", s.Load.Select(l => (l.Second + 1.0, l.Load)).ToArray()),
            (open ? "in flight" : "copies running", s.Load.Select(l => (l.Second + 1.0, (double)l.InFlight)).ToArray()),
        ], markers: [.. changes.Select(c => (c.At.TotalSeconds, c.Text))], span: span));
        html.Append(SvgChart.Lines($"throughput-{index}", "Throughput: iterations and failures per second",
        [
            ("iterations/s", whole.Select(x => (x.At, x.Sample.Rps)).ToArray()),
            ("failed/s", whole.Select(x => (x.At, x.Sample.Fail / x.Sample.Duration.TotalSeconds)).ToArray()),
        ], span: span));
        html.Append(SvgChart.Lines($"latency-{index}", "Latency over time (ms)",
        [
            ("p50", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P50Nanoseconds / 1e6)).ToArray()),
            ("p95", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P95Nanoseconds / 1e6)).ToArray()),
            ("p99", seconds.Where(x => x.Sample.Count > 0).Select(x => (x.At, x.Sample.Latency.P99Nanoseconds / 1e6)).ToArray()),
        ], span: span));
        html.Append(SvgChart.Bars($"distribution-{index}", "Latency distribution (iterations per latency band)", Distribution(s.Iterations.LatencyHistogram)));
    }

    private static void Steps(StringBuilder html, ScenarioSnapshot s)
    {
        html.Append("<h3>Steps</h3><table class=\"steps\"><tr><th>step</th><th>count</th><th>failed</th><th>rps</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>max</th><th class=\"text\">status codes</th><th class=\"text\">failure reasons</th></tr>");
        foreach (StepSnapshot step in s.Steps.Prepend(s.Iterations with { Name = "(whole iteration)" }))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(step.Name)}</td><td>{step.Count}</td><td class=\"{(step.Fail > 0 ? "fail" : string.Empty)}\">{step.Fail}</td><td>{step.Rps:0.#}</td><td>{Ms(step.Latency.P50Nanoseconds)}</td><td>{Ms(step.Latency.P90Nanoseconds)}</td><td>{Ms(step.Latency.P95Nanoseconds)}</td><td>{Ms(step.Latency.P99Nanoseconds)}</td><td>{Ms(step.Latency.MaxNanoseconds)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td class=\"text\">{E(string.Join(" ", step.StatusCodes.Select(c => $"{(c.Key < 0 ? "other" : c.Key.ToString(CultureInfo.InvariantCulture))}×{c.Value}")))}</td><td class=\"text\">{E(string.Join(" ", step.FailureReasons.Select(r => $"{r.Key.Label()}×{r.Value}")))}</td></tr>");
        }

        html.Append("</table>");
        var failures = s.Steps.SelectMany(step => step.FailureMessages.Select(m => (step.Name, m))).ToArray();
        if (failures.Length > 0)
        {
            html.Append("<h3>Failures seen</h3><ul class=\"failures\">");
            foreach ((string step, string message) in failures)
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><b>{E(step)}</b>: {E(message)}</li>");
            }

            html.Append("</ul>");
        }
    }

    private static void Checks(StringBuilder html, IReadOnlyList<CheckReport> checks)
    {
        if (checks.Count == 0)
        {
            return;
        }

        html.Append("<h3>Checks</h3><table class=\"checks\"><tr><th>step</th><th class=\"text\">check</th><th>evaluated</th><th>failed</th><th class=\"text\">the last failing answer had</th></tr>");
        foreach (CheckReport c in checks)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(c.Step)}</td><td class=\"text\"><code>{E(c.Check)}</code></td><td>{c.Evaluated}</td><td class=\"{(c.Failed > 0 ? "fail" : "pass")}\">{c.Failed}</td><td class=\"text\">{E(c.LastFailedActual ?? string.Empty)}</td></tr>");
        }

        html.Append("</table>");
    }

    /// <summary>The histogram in about 24 bands, evenly spaced on a log scale between the fastest and slowest result.</summary>
    internal static IReadOnlyList<(string, double)> Distribution(LatencyHistogram histogram)
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
}
