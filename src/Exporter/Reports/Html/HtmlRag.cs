using System.Globalization;
using System.Text;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;
using static Probe.Exporter.Reports.Html.HtmlReport;

namespace Probe.Exporter.Reports.Html;

/// <summary>A RAG/LLM step's part of report.html: answer quality, token timing, and every golden question.</summary>
internal static class HtmlRag
{
    public static void Append(StringBuilder html, RagStepReport r, string id)
    {
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"rag\" id=\"rag-{E(id)}\"><h3>RAG: {E(r.Step)}</h3>");
        html.Append("<table class=\"rag-figures\"><tr><th>pass rate</th><th>fact recall</th><th>source recall</th><th>tokens</th><th>tokens/s</th><th>time to first token p50 / p95</th><th>between tokens p50 / p95</th><th>retrieval p50</th><th>generation p50</th></tr>");
        html.Append(CultureInfo.InvariantCulture, $"<tr><td>{Percent(r.PassRate)}</td><td>{Percent(r.FactRecall)}</td><td>{Percent(r.SourceRecall)}</td><td>{r.Tokens}</td><td>{r.TokensPerSecond:0.#}</td><td>{Pair(r.TimeToFirstToken)}</td><td>{Pair(r.InterTokenGap)}</td><td>{One(r.Retrieval)}</td><td>{One(r.Generation)}</td></tr></table>");
        html.Append("<table class=\"questions\"><tr><th>#</th><th class=\"text\">question</th><th>asked</th><th>passed</th><th>facts found</th><th>sources cited</th><th class=\"text\">last miss</th></tr>");
        foreach (RagQuestionReport q in r.Questions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{q.Index + 1}</td><td class=\"text\">{E(q.Question)}</td><td>{q.Asked}</td><td class=\"{(q.Passed == q.Asked ? "pass" : "fail")}\">{q.Passed}</td><td>{q.FactsFound} of {q.FactsExpected}</td><td>{q.SourcesCited} of {q.SourcesExpected}</td><td class=\"text\">{E(q.LastMiss ?? string.Empty)}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static string Percent(double ratio) => (ratio * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Pair(LatencySummary s) => s.Count == 0 ? "—" : $"{Ms(s.P50Nanoseconds)} / {Ms(s.P95Nanoseconds)}";

    private static string One(LatencySummary s) => s.Count == 0 ? "—" : Ms(s.P50Nanoseconds);
}
