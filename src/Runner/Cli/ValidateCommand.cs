using System.CommandLine;
using Probe.Engine.Verdicts;
using Probe.Runner.Input;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Cli;

/// <summary><c>probe validate [SUITE]</c>: checks a suite file and prints every error, or what it contains.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var suite = new Argument<string?>("suite") { Description = "The suite file (default: scenarios.json in the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("validate", "Check a suite file: every error with file, line, column, JSON path and how to fix it.") { suite };
        command.SetAction(parse =>
        {
            SuiteDefinition? loaded = SuiteInput.Load(parse.GetValue(suite), new Dictionary<string, string>(), Console.Error);
            if (loaded is null)
            {
                return (int)ExitCode.BadInput;
            }

            Console.WriteLine($"{loaded.File}: valid suite '{loaded.Name}'");
            foreach (ScenarioSpec s in loaded.Scenarios)
            {
                Console.WriteLine($"  {s.Name}: {s.Steps.Count} step{(s.Steps.Count == 1 ? string.Empty : "s")} on {s.Target}; load {string.Join(", ", s.Load)}; {(s.Thresholds.Count == 0 ? $"no thresholds, so the default gate {Probe.Engine.Thresholds.ThresholdSpec.DefaultGate.Expression}" : $"{s.Thresholds.Count} threshold{(s.Thresholds.Count == 1 ? string.Empty : "s")}")}");
            }

            return (int)ExitCode.Passed;
        });
        return command;
    }
}
