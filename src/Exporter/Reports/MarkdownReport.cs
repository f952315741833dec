using System.Globalization;
using System.Text;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// Writes <c>report.md</c>: the verdict, why a run is invalid, a table of scenarios and steps (with
/// failure reasons), the thresholds, the load changes made during the run, every check with its last failing value, the RAG/LLM figures with
/// every golden question, and the failures seen; fits a CI job summary or a PR comment.
/// </summary>
public static class MarkdownReport
{
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result) = (report.Info, report.Result);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Probe run: {info.Suite} — {Verdict(result)}\n\n");
        md.Append(CultureInfo.InvariantCulture, $"Started {result.StartedAt:yyyy-MM-dd HH:mm:ss} UTC, took {DurationText.FormatNanoseconds(result.Duration.Ticks * 100)}, region `{info.Region}`, exit code {(int)result.ExitCode}");
        md.Append(info.GitCommit is null ? ".\n\n" : $", commit `{info.GitCommit[..Math.Min(12, info.GitCommit.Length)]}`.\n\n");

        if (!result.IsValid)
        {
            md.Append("## The run is invalid\n\n");
            foreach (string reason in result.InvalidReasons.Concat(result.AbortReason is null ? [] : [$"aborted: {result.AbortReason}"]))
            {
                md.Append(CultureInfo.InvariantCulture, $"- {Escape(reason)}\n");
            }

            md.Append('\n');
        }

        md.Append("## Scenarios\n\n| scenario / step | requests | failed | error rate | rps | p50 | p95 | p99 | max | failure reasons |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            Row(md, $"**{Escape(s.Name)}**", s.Iterations);
            foreach (StepSnapshot step in s.Steps)
            {
                Row(md, $"{Escape(s.Name)} / {Escape(step.Name)}", step);
            }
        }

        if (result.Thresholds.Count > 0)
        {
            md.Append("\n## Thresholds\n\n| result | where | threshold | observed |\n| --- | --- | --- | ---: |\n");
            foreach (ThresholdResult t in result.Thresholds)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {(t.Passed ? "pass" : "**FAIL**")} | {Escape(t.Subject)} | {Code(t.Expression)} | {Escape(t.ObservedText)}{(t.Note is null ? string.Empty : $" ({Escape(t.Note)})")} |\n");
            }
        }

        if (result.LoadChanges.Count > 0)
        {
            md.Append("\n## Load changes during the run\n\n| at | scenario | change | by |\n| ---: | --- | --- | --- |\n");
            foreach (LoadChange change in result.LoadChanges)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {change.At.TotalSeconds:0.0} s | {Escape(change.Scenario)} | {Escape(change.Text)} | {Escape(change.Source ?? string.Empty)} |\n");
            }
        }

        if (report.Checks.Count > 0)
        {
            md.Append("\n## Checks\n\n| scenario / step | check | evaluated | failed | the last failing answer had |\n| --- | --- | ---: | ---: | --- |\n");
            foreach (CheckReport c in report.Checks)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {Escape(c.Scenario)} / {Escape(c.Step)} | {Code(c.Check)} | {c.Evaluated} | {(c.Failed > 0 ? $"**{c.Failed}**" : "0")} | {Escape(c.LastFailedActual ?? string.Empty)} |\n");
            }
        }

        foreach (LlmFigures f in report.Llm)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## LLM: {Escape(f.Scenario)} / {Escape(f.Step)}\n\n{Escape(f.Headline())}.\n\n");
            md.Append("| ").Append(string.Join(" | ", LlmFigures.Columns)).Append(" |\n| --- |").Append(string.Concat(Enumerable.Repeat(" ---: |", LlmFigures.Columns.Count - 1))).Append('\n');
            foreach (string[] row in f.Rows())
            {
                md.Append("| ").Append(string.Join(" | ", row)).Append(" |\n");
            }
        }

        foreach (RagStepReport r in report.Rag)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## RAG: {Escape(r.Scenario)} / {Escape(r.Step)}\n\n");
            md.Append("| pass rate | fact recall | source recall | retrieval p50 / p95 | generation p50 / p95 |\n| ---: | ---: | ---: | ---: | ---: |\n");
            md.Append(CultureInfo.InvariantCulture, $"| {r.PassRate * 100:0.#}% | {r.FactRecall * 100:0.#}% | {r.SourceRecall * 100:0.#}% | {Pair(r.Retrieval)} | {Pair(r.Generation)} |\n\n");
            md.Append("| # | question | asked | passed | facts found | sources cited | last miss |\n| ---: | --- | ---: | ---: | ---: | ---: | --- |\n");
            foreach (RagQuestionReport q in r.Questions)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {q.Index + 1} | {Escape(q.Question)} | {q.Asked} | {q.Passed} | {q.FactsFound} of {q.FactsExpected} | {q.SourcesCited} of {q.SourcesExpected} | {Escape(q.LastMiss ?? string.Empty)} |\n");
            }
        }

        var failures = result.Scenarios.SelectMany(s => s.Steps.SelectMany(step => step.FailureMessages.Select(m => (Where: $"{s.Name} / {step.Name}", Message: m)))).ToArray();
        if (failures.Length > 0)
        {
            md.Append("\n## Failures seen\n\n");
            foreach ((string where, string message) in failures)
            {
                md.Append(CultureInfo.InvariantCulture, $"- {Escape(where)}: {Escape(message)}\n");
            }
        }

        return md.ToString();
    }

    private static string Verdict(RunResult r) => r.Verdict switch
    {
        Engine.Verdicts.Verdict.Passed => "PASSED",
        Engine.Verdicts.Verdict.Failed => "FAILED (a threshold failed)",
        _ => "INVALID",
    };

    private static void Row(StringBuilder md, string name, StepSnapshot s) =>
        md.Append(CultureInfo.InvariantCulture, $"| {name} | {s.Count} | {s.Fail} | {s.ErrorRate * 100:0.##}% | {s.Rps:0.#} | {Ms(s.Latency.P50Nanoseconds)} | {Ms(s.Latency.P95Nanoseconds)} | {Ms(s.Latency.P99Nanoseconds)} | {Ms(s.Latency.MaxNanoseconds)} | {string.Join(" ", s.FailureReasons.Select(r => $"{r.Key.Label()}×{r.Value}"))} |\n");

    private static string Pair(Probe.Engine.Histograms.LatencySummary s) => s.Count == 0 ? "—" : $"{Ms(s.P50Nanoseconds)} / {Ms(s.P95Nanoseconds)}";

    private static string Ms(long ns) => DurationText.FormatNanoseconds(ns);

    /// <summary>
    /// Text as Markdown shows it literally, in a table cell or a list item: what a target sent
    /// (<c>&lt;script&gt;</c>, <c>&lt;img onerror=…&gt;</c>) stays text, HTML's special characters as
    /// entities and Markdown's inline markers escaped; a pipe cannot end a cell, a line break not a row.
    /// </summary>
    internal static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in Probe.Engine.Text.Printable.Of(text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ')))
        {
            _ = c switch
            {
                '&' => escaped.Append("&amp;"),
                '<' => escaped.Append("&lt;"),
                '>' => escaped.Append("&gt;"),
                '\\' or '`' or '*' or '_' or '[' or ']' or '|' or '~' => escaped.Append('\\').Append(c),
                '\n' or '\r' => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    /// <summary>A code span: backslashes stay literal inside it, so only a fence longer than any run of backticks in the text, and escaped pipes (GFM tables split on them even in code).</summary>
    internal static string Code(string text)
    {
        int longest = 0;
        int run = 0;
        foreach (char c in text)
        {
            run = c == '`' ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        string fence = new('`', longest + 1);
        string inner = text.Replace("|", "\\|", StringComparison.Ordinal).Replace('\n', ' ');
        return longest == 0 ? $"{fence}{inner}{fence}" : $"{fence} {inner} {fence}";
    }
}
