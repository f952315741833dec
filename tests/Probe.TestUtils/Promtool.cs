using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>The real <c>promtool</c> from Debian's prometheus package; fails (never skips) when it is missing.</summary>
public static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>Runs <c>promtool check metrics</c> on a file; gives the exit code and everything it said.</summary>
    public static async Task<(int ExitCode, string Output)> CheckMetricsAsync(string file)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"promtool is not installed at {Path}: apt-get install prometheus");
        }

        var start = new ProcessStartInfo(Path, ["check", "metrics"]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(await File.ReadAllTextAsync(file));
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
