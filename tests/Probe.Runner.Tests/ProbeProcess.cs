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

    /// <summary>
    /// <c>probe demo-target</c> in a process of its own on a free loopback port, as a user runs it beside a
    /// load test (in the test's own process, its thread pool is the test host's); ready when it answers /health.
    /// </summary>
    public static async Task<DemoTargetProcess> StartDemoTargetAsync()
    {
        int port = FreePort();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "probe.dll"), "demo-target", "--listen", $"127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = new DemoTargetProcess(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        using var http = new HttpClient();
        await Poll.UntilAsync(
            async cancellation =>
            {
                try
                {
                    using HttpResponseMessage response = await http.GetAsync(new Uri(process.Address, "/health"), cancellation);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            },
            up => up || process.Process.HasExited,
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(50));
        return process.Process.HasExited ? throw new InvalidOperationException($"probe demo-target exited: {await process.Process.StandardError.ReadToEndAsync()}") : process;
    }

    /// <summary>
    /// This test process's folder under the temp path. Making it removes the folders of earlier test
    /// processes that no longer run; deleting it at exit is a best effort (the test platform may stop the
    /// process first, as in a full CI run, which left about 1.5 GB). So at most one run's folders stay
    /// behind: a documented-commands test alone leaves 1.5 GB of restored packages, and keeping every
    /// run's folders filled a 250 GB disk after 25 runs.
    /// </summary>
    private static readonly Lazy<string> RunFolder = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "probe-tests");
        Directory.CreateDirectory(root);
        foreach (string earlier in Directory.GetDirectories(root))
        {
            if (!IsOwnedByARunningProcess(Path.GetFileName(earlier)))
            {
                TryDelete(earlier);
            }
        }

        string folder = Path.Combine(root, $"run-{Environment.ProcessId}-{Guid.NewGuid():n}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(folder);
        return folder;
    });

    /// <summary>A fresh folder for one test's files and reports.</summary>
    public static string TempFolder()
    {
        string folder = Path.Combine(RunFolder.Value, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static bool IsOwnedByARunningProcess(string name)
    {
        string[] parts = name.Split('-');
        if (parts is not ["run", var pid, _] || !int.TryParse(pid, out int id))
        {
            return false; // a folder of the layout before this one: nobody owns it
        }

        try
        {
            using var owner = Process.GetProcessById(id);
            return !owner.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Deletes <paramref name="folder"/> as far as it can: what a child process still holds is left for the sweep at the next start.</summary>
    public static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A child process may still hold a file; the next test run removes what is left.
        }
    }

    /// <summary>A loopback port nothing listens on right now.</summary>
    public static int FreePort() => LoopbackPorts.Free();
}

/// <summary>A <c>probe demo-target</c> process; disposing of it kills it.</summary>
internal sealed record DemoTargetProcess(Process Process, Uri Address) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
        Process.Dispose();
    }
}
