using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>The real <c>amtool</c> from Debian's prometheus-alertmanager package; fails (never skips) when it is missing.</summary>
public static class Amtool
{
    public const string Path = "/usr/bin/amtool";

    /// <summary><c>amtool check-config FILE</c>.</summary>
    public static Task<(int ExitCode, string Output)> CheckConfigAsync(string file) => RunAsync("check-config", file);

    /// <summary>The receivers an alert with <paramref name="labels"/> (<c>name=value</c>) reaches under FILE's routes (<c>amtool config routes test</c>).</summary>
    public static async Task<string[]> ReceiversAsync(string file, params string[] labels)
    {
        (int code, string output) = await RunAsync(["config", "routes", "test", $"--config.file={file}", .. labels]);
        string line = output.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0 && !l.StartsWith("Warning:", StringComparison.Ordinal));
        return code == 0 ? line.Split(',') : throw new InvalidOperationException($"amtool exited {code}: {output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"amtool is not installed at {Path}: apt-get install prometheus-alertmanager");
        }

        var start = new ProcessStartInfo(Path, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(limit.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
