using Probe.TestUtils;
using System.Diagnostics;

namespace Probe.Runner.Tests;

/// <summary>Runs the real <c>probe</c> binary (built beside the tests) as a separate process and captures what it prints.</summary>
internal static class ProbeProcess
{
    public static Task<(int ExitCode, string Out, string Err)> RunAsync(string workingDirectory, params string[] args) =>
        RunWithEnvironmentAsync(workingDirectory, new Dictionary<string, string>(), args);

    public static async Task<(int ExitCode, string Out, string Err)> RunWithEnvironmentAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        string probe = Path.Combine(AppContext.BaseDirectory, "probe.dll");
        var start = new ProcessStartInfo("dotnet", [probe, .. args])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            // A process that does not end must not outlive the test (it would hold its ports for the next one).
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"probe {string.Join(' ', args)} did not end within 3 minutes; it was killed");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A fresh folder for one test's files and reports.</summary>
    public static string TempFolder()
    {
        string folder = Path.Combine(Path.GetTempPath(), "probe-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort() => LoopbackPorts.Free();
}
