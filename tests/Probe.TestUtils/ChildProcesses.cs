using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>The real servers the tests start as child processes (Prometheus, the Pushgateway, openssl s_server).</summary>
public static class ChildProcesses
{
    /// <summary>
    /// Starts <paramref name="start"/> with both outputs read, and returns once a line of its standard error (or, with
    /// <paramref name="onStandardOutput"/>, its standard output) holds <paramref name="ready"/>; both streams are read on
    /// afterwards, so the child never blocks on a full pipe.
    /// </summary>
    /// <exception cref="InvalidOperationException">It ended its output (exited) before saying it was ready.</exception>
    public static async Task<Process> StartUntilAsync(ProcessStartInfo start, string ready, TimeSpan limit, bool onStandardOutput = false)
    {
        start.RedirectStandardError = true;
        start.RedirectStandardOutput = true;
        Process process = Process.Start(start)!;
        (StreamReader watched, StreamReader other) = onStandardOutput ? (process.StandardOutput, process.StandardError) : (process.StandardError, process.StandardOutput);
        _ = other.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        while (await watched.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(ready, StringComparison.Ordinal))
            {
                _ = watched.ReadToEndAsync();
                return process;
            }
        }

        process.Dispose();
        throw new InvalidOperationException($"{Path.GetFileName(start.FileName)} exited before it was ready (it never printed \"{ready}\")");
    }
}
