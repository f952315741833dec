using System.CommandLine;
using Probe.Engine.Verdicts;
using Probe.Exporter.Rules;
using Probe.Runner.Input;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Cli;

/// <summary><c>probe rules [SUITE] --out DIR</c>: Prometheus recording and alerting rules for the suite's SLOs and scenarios, with promtool unit tests.</summary>
internal static class RulesCommand
{
    public const string RulesFile = "probe-rules.yml";
    public const string TestsFile = "probe-rules.test.yml";

    public static Command Create()
    {
        var suite = new Argument<string?>("suite") { Description = "The suite file (default: scenarios.json in the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<string>("--out", "-o") { Description = "Where to write probe-rules.yml and probe-rules.test.yml.", DefaultValueFactory = _ => "rules" };
        var command = new Command("rules", "Write Prometheus rules for the suite: SLO error-ratio recordings and multi-window burn-rate alerts, the seeds' P0/P1/P2 threshold alerts, service down, N-of-M regions failing, certificate expiry, the runners' own health (a region gone silent, results lost or piling up); plus promtool unit tests.")
        {
            suite, output,
        };
        command.SetAction(parse =>
        {
            SuiteDefinition? loaded = SuiteInput.Load(parse.GetValue(suite), new Dictionary<string, string>(), Console.Error);
            if (loaded is null)
            {
                return (int)ExitCode.BadInput;
            }

            string folder = parse.GetValue(output)!;
            IReadOnlyList<SloDefinition> slos = Slos(loaded);
            var scheduled = loaded.Scenarios.Where(s => s.Schedule is not null).Select(s => s.Name).ToArray();
            int regions = loaded.Regions.Count;
            var quorum = new RegionQuorum(loaded.Regions, Math.Max(2, (regions + 1) / 2));
            try
            {
                Directory.CreateDirectory(folder);
                string[] alerting = scheduled.Length > 0 ? scheduled : loaded.Scenarios.Select(s => s.Name).ToArray();
                File.WriteAllText(Path.Combine(folder, RulesFile), RulesWriter.Render(loaded.Name, slos, alerting, quorum, Path.GetFileName(loaded.File)));
                File.WriteAllText(Path.Combine(folder, TestsFile), RuleTestsWriter.Render(RulesFile, slos, loaded.Name, alerting, quorum));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"probe rules: cannot write to {folder}: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            Console.WriteLine($"wrote {Path.Combine(folder, RulesFile)} ({slos.Count} SLO{(slos.Count == 1 ? string.Empty : "s")}) and {Path.Combine(folder, TestsFile)}");
            Console.WriteLine($"check them with: promtool check rules {Path.Combine(folder, RulesFile)} && promtool test rules {Path.Combine(folder, TestsFile)}");
            return (int)ExitCode.Passed;
        });
        return command;
    }

    /// <summary>The suite's SLOs in the exporter's terms.</summary>
    public static IReadOnlyList<SloDefinition> Slos(SuiteDefinition suite) =>
        suite.Slos.Select(s => new SloDefinition(s.Name, suite.Name, s.Kind, s.Objective, s.Window, s.Scenarios, s.LatencyThreshold)).ToArray();
}
