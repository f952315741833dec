using System.CommandLine;
using Probe.Engine.Verdicts;
using Probe.Runner.Output;

namespace Probe.Runner.Cli;

/// <summary><c>probe report DIR</c>: renders every report of a finished run again from its run.json, and exits with its verdict.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("dir") { Description = "The output folder of a probe run (it holds run.json)." };
        var command = new Command("report", "Render a finished run's reports again (summary.json, report.html, report.md, junit.xml, metrics.prom) from its run.json; exits with the run's verdict.") { folder };
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(folder)!;
            try
            {
                RunResult result = ReportFiles.Rewrite(dir);
                Console.WriteLine($"reports written again in {dir}: {result.Verdict.ToString().ToUpperInvariant()} (exit code {(int)result.ExitCode})");
                return (int)result.ExitCode;
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"probe report: {e.Message}");
                return (int)ExitCode.BadInput;
            }
        });
        return command;
    }
}
