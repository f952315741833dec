using System.CommandLine;
using Probe.Engine.Verdicts;
using Probe.Runner.Import.K6;

namespace Probe.Runner.Cli;

/// <summary><c>probe import k6 SCRIPT.js [-o suite.json]</c>: a k6 script as a suite.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var script = new Argument<string>("script") { Description = "The k6 script (JavaScript)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the suite to this file (default: standard output)." };
        var k6 = new Command("k6", "Convert a k6 script: options (vus, duration, iterations, stages, scenarios and their executors, thresholds), http requests with JSON bodies, headers and params, checks on status, body and timings.duration, sleep (random sleeps as think ranges), group and __ENV; custom metrics are left out. Every construct it cannot convert is listed with its line and column, and nothing is written (exit 2).")
        {
            script, output,
        };
        k6.SetAction(parse => Run(parse.GetValue(script)!, parse.GetValue(output)));
        return new Command("import", "Convert another tool's test into a suite.") { k6 };
    }

    private static int Run(string script, string? output)
    {
        string source;
        try
        {
            source = File.ReadAllText(script);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"probe: cannot read the k6 script {script}: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        K6Import import = K6Importer.Convert(source, script);
        foreach (string note in import.Notes)
        {
            Console.Error.WriteLine($"note: {note}");
        }

        if (import.Suite is null)
        {
            foreach (string problem in import.Unconvertible)
            {
                Console.Error.WriteLine(problem);
            }

            Console.Error.WriteLine($"probe: {import.Unconvertible.Count} construct{(import.Unconvertible.Count == 1 ? string.Empty : "s")} of {script} cannot be converted (above, with line and column); nothing was written");
            return (int)ExitCode.BadInput;
        }

        if (output is null)
        {
            Console.Out.Write(import.Suite);
        }
        else
        {
            try
            {
                File.WriteAllText(output, import.Suite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"probe: cannot write the suite to {output}: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            Console.Error.WriteLine($"wrote {output}: {string.Join(", ", import.Targets.Select(t => $"target {t.Name} = {t.Url}"))}; run it with: probe run {output}{(import.Targets.Count > 0 ? $" --target {import.Targets[0].Name}=URL" : string.Empty)}");
        }

        return (int)ExitCode.Passed;
    }
}
