using System.Globalization;
using System.Text;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using static Probe.Exporter.Reports.Html.HtmlReport;

namespace Probe.Exporter.Reports.Html;

/// <summary>A RAG/LLM step's part of report.html: token figures with their distributions, answer quality, and every golden question.</summary>
internal static class HtmlRag
{
    public static void AppendLlm(StringBuilder html, LlmFigures f, string id)
    {
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"llm\" id=\"llm-{E(id)}\"><h3>LLM: {E(f.Step)}</h3><p>{E(f.Headline())}.</p>");
        html.Append("<table class=\"llm-figures\"><tr>").Append(string.Concat(LlmFigures.Columns.Select(c => $"<th>{E(c)}</th>"))).Append("</tr>");
        foreach (string[] row in f.Rows())
        {
            html.Append("<tr>").Append(string.Concat(row.Select(c => $"<td>{E(c)}</td>"))).Append("</tr>");
        }

        html.Append("</table>");
        if (f.Llm.Streamed > 0)
        {
            html.Append(SvgChart.Bars($"ttft-{id}", "Time to first token distribution (answers per band)", HtmlScenario.Distribution(f.Llm.TimeToFirstToken)));
        }

        if (f.Llm.InterTokenLatency.TotalCount > 0)
        {
            html.Append(SvgChart.Bars($"itl-{id}", "Inter-token latency distribution (gaps per band)", HtmlScenario.Distribution(f.Llm.InterTokenLatency)));
        }

        html.Append("</div>");
    }

    public static void Append(StringBuilder html, RagStepReport r, string id)
    {
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"rag\" id=\"rag-{E(id)}\"><h3>RAG: {E(r.Step)}</h3>");
        html.Append("<table class=\"rag-figures\"><tr><th>pass rate</th><th>fact recall</th><th>source recall</th><th>retrieval p50 / p95</th><th>generation p50 / p95</th></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Percent(r.PassRate)}</td><td>{Percent(r.FactRecall)}</td><td>{Percent(r.SourceRecall)}</td><td>{Pair(r.Retrieval)}</td><td>{Pair(r.Generation)}</td></tr></table>");
        html.Append("<table class=\"questions\"><tr><th>#</th><th class=\"text\">question</th><th>asked</th><th>passed</th><th>facts found</th><th>sources cited</th><th class=\"text\">last miss</th></tr>");
        foreach (RagQuestionReport q in r.Questions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{q.Index + 1}</td><td class=\"text\">{E(q.Question)}</td><td>{q.Asked}</td><td class=\"{(q.Passed == q.Asked ? "pass" : "fail")}\">{q.Passed}</td><td>{q.FactsFound} of {q.FactsExpected}</td><td>{q.SourcesCited} of {q.SourcesExpected}</td><td class=\"text\">{E(q.LastMiss ?? string.Empty)}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Pair(LatencySummary s) => s.Count == 0 ? "—" : $"{Ms(s.P50Nanoseconds)} / {Ms(s.P95Nanoseconds)}";
}
