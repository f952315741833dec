using System.CommandLine;
using Probe.Engine.Verdicts;
using Probe.Runner.Cli;

namespace Probe.Runner;

/// <summary>The <c>probe</c> command line. Exit codes: 0 pass, 1 gate failed, 2 bad input, 3 invalid or aborted run.</summary>
internal static class Program
{
    /// <summary>Every command and option of <c>probe</c> (the tests check deploy/ manifests against it).</summary>
    internal static RootCommand Commands() => new("Probe: load tests, synthetic monitoring and CI gates for HTTP and RAG services.\nExit codes: 0 pass, 1 a threshold failed, 2 bad input, 3 the run is invalid or was aborted.")
    {
        RunCommand.Create(),
        SyntheticsCommand.Create(),
        ValidateCommand.Create(),
        DemoTargetCommand.Create(),
        ReportCommand.Create(),
        RulesCommand.Create(),
        ImportCommand.Create(),
        ControlCommand.Create(),
    };

    private static async Task<int> Main(string[] args)
    {
        RootCommand root = Commands();

        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync($"probe: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Run 'probe --help' for usage.");
            return (int)ExitCode.BadInput;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) });
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug, not bad input: one line for the user, the details for the report.
            await Console.Error.WriteLineAsync($"probe: internal error: {e.GetType().Name}: {e.Message}");
            await Console.Error.WriteLineAsync("Please report it with the command you ran; set PROBE_DEBUG=1 to see where it happened.");
            if (Environment.GetEnvironmentVariable("PROBE_DEBUG") == "1")
            {
                await Console.Error.WriteLineAsync(e.ToString());
            }

            return (int)ExitCode.Invalid;
        }
    }
}
