using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>The real <c>promtool</c> from Debian's prometheus package; fails (never skips) when it is missing.</summary>
public static class Promtool
{
    public const string Path = "/usr/bin/promtool";

    /// <summary>Runs <c>promtool check rules FILE</c>.</summary>
    public static Task<(int ExitCode, string Output)> CheckRulesAsync(string file) => RunAsync(System.IO.Path.GetDirectoryName(file)!, "check", "rules", file);

    /// <summary>Runs <c>promtool test rules FILE</c> in the file's folder (rule_files are relative to it).</summary>
    public static Task<(int ExitCode, string Output)> TestRulesAsync(string file) => RunAsync(System.IO.Path.GetDirectoryName(file)!, "test", "rules", System.IO.Path.GetFileName(file));

    /// <summary><c>promtool check config FILE</c> (a Prometheus configuration); with <c>--syntax-only</c> files it names need not exist here.</summary>
    public static Task<(int ExitCode, string Output)> CheckConfigAsync(string file) => RunAsync(System.IO.Path.GetDirectoryName(file)!, "check", "config", "--syntax-only", file);

    private static async Task<(int ExitCode, string Output)> RunAsync(string folder, params string[] args)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"promtool is not installed at {Path}: apt-get install prometheus");
        }

        var start = new ProcessStartInfo(Path, args) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

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
