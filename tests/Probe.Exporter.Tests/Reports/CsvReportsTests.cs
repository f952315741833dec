using System.Globalization;
using nietras.SeparatedValues;
using Probe.Engine.Stats;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

/// <summary>stats.csv and timeline.csv read back with a CSV parser give the run's own figures.</summary>
public class CsvReportsTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden");

    [Fact]
    public void StatsCsv_ReadByACsvParser_HasARowPerScenarioAndStepWithItsFigures()
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, "failing"));

        List<Dictionary<string, string>> rows = Read(Write(report, "stats.csv"));

        ScenarioSnapshot[] scenarios = [.. report.Result.Scenarios];
        Assert.Equal(scenarios.Sum(s => 1 + s.Steps.Count), rows.Count);
        foreach (ScenarioSnapshot s in scenarios)
        {
            foreach (StepSnapshot step in (StepSnapshot[])[s.Iterations, .. s.Steps])
            {
                string name = ReferenceEquals(step, s.Iterations) ? string.Empty : step.Name;
                Dictionary<string, string> row = Assert.Single(rows, r => r["scenario"] == s.Name && r["step"] == name);
                Assert.Equal(step.Count, long.Parse(row["count"], CultureInfo.InvariantCulture));
                Assert.Equal(step.Fail, long.Parse(row["failed"], CultureInfo.InvariantCulture));
                Assert.Equal(step.Latency.P95Nanoseconds / 1e6, double.Parse(row["p95_ms"], CultureInfo.InvariantCulture), 3);
                Assert.Equal(step.ErrorRate, double.Parse(row["error_rate"], CultureInfo.InvariantCulture), 3);
            }
        }

        Assert.Contains(rows, r => r["failure_reasons"].Length > 0 && r["status_codes"].Length > 0);
    }

    [Fact]
    public void TimelineCsv_ReadByACsvParser_SumsToTheRunsIterationsPerScenario()
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, "demo"));

        List<Dictionary<string, string>> rows = Read(Write(report, "timeline.csv"));

        foreach (ScenarioSnapshot s in report.Result.Scenarios)
        {
            var mine = rows.Where(r => r["scenario"] == s.Name).ToArray();
            Assert.Equal(s.Iterations.Seconds.Sum(x => x.Count), mine.Sum(r => long.Parse(r["iterations"], CultureInfo.InvariantCulture)));
            Assert.Equal(s.Iterations.Seconds.Sum(x => x.Fail), mine.Sum(r => long.Parse(r["failed"], CultureInfo.InvariantCulture)));
            Assert.Equal(mine.Select(r => int.Parse(r["second"], CultureInfo.InvariantCulture)).Order(), mine.Select(r => int.Parse(r["second"], CultureInfo.InvariantCulture)));
        }

        Assert.Contains(rows, r => r["load"].Length > 0 && double.Parse(r["load"], CultureInfo.InvariantCulture) > 1);
    }

    [Fact]
    public void StatsCsv_NamesWithCommasQuotesAndLineBreaks_ComeBackWhole()
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, "demo"));
        const string awkward = "search, \"fast\"\nand cheap";
        ScenarioSnapshot first = report.Result.Scenarios[0];
        report = report with { Result = report.Result with { Scenarios = [first with { Name = awkward }, .. report.Result.Scenarios.Skip(1)] } };

        List<Dictionary<string, string>> rows = Read(Write(report, "stats.csv"));

        Assert.Equal(1 + first.Steps.Count, rows.Count(r => r["scenario"] == awkward));
    }

    private static string Write(RunReport report, string file)
    {
        ReportFormat format = ReportFormats.All.Single(f => f.FileName == file);
        using var output = new MemoryStream();
        format.Write(report, output);
        return System.Text.Encoding.UTF8.GetString(output.ToArray());
    }

    private static List<Dictionary<string, string>> Read(string csv)
    {
        // Sep, unescaping quoted fields as RFC 4180 says; the header names the columns.
        using SepReader reader = Sep.New(',').Reader(o => o with { Unescape = true }).FromText(csv);
        string[] header = [.. reader.Header.ColNames];
        var rows = new List<Dictionary<string, string>>();
        foreach (SepReader.Row row in reader)
        {
            var fields = new Dictionary<string, string>();
            foreach (string column in header)
            {
                fields[column] = row[column].ToString();
            }

            rows.Add(fields);
        }

        return rows;
    }
}
