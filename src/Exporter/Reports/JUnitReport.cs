using System.Globalization;
using System.Xml.Linq;
using Probe.Engine.Results;
using Probe.Engine.Stats;
using Probe.Engine.Text;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;

namespace Probe.Exporter.Reports;

/// <summary>
/// Writes <c>junit.xml</c>: one test suite per scenario, one test case per threshold, per step
/// (failed when any of its requests failed) and per check (failed when it failed at least once),
/// plus a "run is valid" case, so CI systems show exactly which gate said no.
/// </summary>
public static class JUnitReport
{
    /// <summary>Writes junit.xml (UTF-8) for <paramref name="report"/>.</summary>
    public static void Write(RunReport report, Stream output) => Render(report).Save(output);

    public static XDocument Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        (RunInfo info, RunResult result, IReadOnlyList<CheckReport> checks) = (report.Info, report.Result, report.Checks);
        var suites = new XElement("testsuites", new XAttribute("name", $"probe {info.Suite}"), new XAttribute("time", Seconds(result.Duration.TotalSeconds)));
        foreach (ScenarioSnapshot s in result.Scenarios)
        {
            var cases = new List<XElement>();
            foreach (ThresholdResult t in result.Thresholds.Where(t => t.Scenario == s.Name))
            {
                cases.Add(Case(s.Name, $"threshold {t.Subject}: {t.Expression}", t.Passed ? null : $"observed {t.ObservedText}{(t.Note is null ? string.Empty : $" ({t.Note})")}"));
            }

            foreach (StepSnapshot step in s.Steps)
            {
                cases.Add(Case(s.Name, $"step {step.Name}", step.Fail == 0 ? null
                    : $"{step.Fail} of {step.Count} failed: {string.Join("; ", step.FailureReasons.Select(r => $"{r.Key.ToString().ToLowerInvariant()} {r.Value}"))}. {string.Join(" | ", step.FailureMessages)}"));
            }

            foreach (CheckReport c in checks.Where(c => c.Scenario == s.Name))
            {
                cases.Add(Case(s.Name, $"check {c.Step}: {c.Check}", c.Failed == 0 ? null : $"{c.Failed} of {c.Evaluated} failed; last time it had {c.LastFailedActual}"));
            }

            cases.Add(Case(s.Name, "run is valid", result.IsValid ? null : string.Join("; ", result.InvalidReasons.Concat(result.AbortReason is null ? [] : [result.AbortReason]))));
            suites.Add(new XElement(
                "testsuite",
                new XAttribute("name", s.Name),
                new XAttribute("tests", cases.Count),
                new XAttribute("failures", cases.Count(c => c.Element("failure") is not null)),
                new XAttribute("time", Seconds(result.Duration.TotalSeconds)),
                cases));
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), suites);
    }

    private static XElement Case(string scenario, string name, string? failure)
    {
        // XML takes no control characters (a BEL in a target's error message made the whole write fail): escaped.
        var element = new XElement("testcase", new XAttribute("classname", Printable.Of($"probe.{scenario}")), new XAttribute("name", Printable.Of(name)));
        if (failure is not null)
        {
            failure = Printable.Of(failure);
            element.Add(new XElement("failure", new XAttribute("message", failure), failure));
        }

        return element;
    }

    private static string Seconds(double s) => s.ToString("0.###", CultureInfo.InvariantCulture);
}
