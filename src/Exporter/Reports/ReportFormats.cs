using System.Text;
using Probe.Exporter.Reports.Html;

namespace Probe.Exporter.Reports;

/// <summary>One output format: its name (for choosing formats), its file in the run folder, and its writer.</summary>
/// <param name="Name">The format's name, such as <c>html</c>.</param>
/// <param name="FileName">The file it writes in the run folder, such as <c>report.html</c>.</param>
/// <param name="Write">Renders a report into a stream.</param>
public sealed record ReportFormat(string Name, string FileName, Action<RunReport, Stream> Write);

/// <summary>Every output format a run folder gets, in one list: adding a format is its writer plus a line here.</summary>
public static class ReportFormats
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>run.json first: the lossless record the others can be rendered from again.</summary>
    public static IReadOnlyList<ReportFormat> All { get; } =
    [
        new("run", RunDataJson.FileName, RunDataJson.Write),
        new("json", "summary.json", SummaryJson.Write),
        new("html", "report.html", (report, output) => Text(output, HtmlReport.Render(report))),
        new("md", "report.md", (report, output) => Text(output, MarkdownReport.Render(report))),
        new("junit", "junit.xml", JUnitReport.Write),
        new("prom", "metrics.prom", (report, output) => Text(output, RunMetrics.Render(report))),
        new("csv", Csv.StatsCsv.FileName, Csv.StatsCsv.Write),
        new("csv", Csv.TimelineCsv.FileName, Csv.TimelineCsv.Write),
    ];

    /// <summary>The format names <c>--format</c> takes: run, json, html, md, junit, prom, csv.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(f => f.Name).Distinct().ToArray();

    /// <summary>
    /// The formats named in <paramref name="list"/> (comma-separated, such as <c>html,csv</c>; <c>all</c> for
    /// every one); an unknown name is an <see cref="ArgumentException"/> that lists the known ones.
    /// </summary>
    public static IReadOnlyList<ReportFormat> Select(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        string[] names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Contains("all"))
        {
            return All;
        }

        string? unknown = names.FirstOrDefault(n => !Names.Contains(n));
        if (unknown is not null || names.Length == 0)
        {
            throw new ArgumentException($"--format takes a comma-separated list of {string.Join(", ", Names)} or all; found '{unknown ?? list}'"
                + (unknown is null ? string.Empty : Probe.Engine.Text.DidYouMean.Hint(unknown, Names)));
        }

        return All.Where(f => names.Contains(f.Name)).ToArray();
    }

    private static void Text(Stream output, string text)
    {
        byte[] bytes = Utf8.GetBytes(text);
        output.Write(bytes);
    }
}

/// <summary>Writes a run's reports into its folder.</summary>
public static class ReportFolder
{
    /// <summary>Writes <paramref name="formats"/> (by default every one of <see cref="ReportFormats.All"/>) into <paramref name="folder"/> (made when missing).</summary>
    public static void Write(string folder, RunReport report, IReadOnlyList<ReportFormat>? formats = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(folder);
        foreach (ReportFormat format in formats ?? ReportFormats.All)
        {
            using FileStream file = File.Create(Path.Combine(folder, format.FileName));
            format.Write(report, file);
        }
    }
}
