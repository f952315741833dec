using System.Diagnostics;

namespace Probe.TestUtils;

/// <summary>
/// Debian's Chromium, headless, to check pages as a person's browser shows them: the DOM after
/// scripts ran, what the console said, and a screenshot. Fails (never skips) when Chromium is missing.
/// </summary>
public static class HeadlessChromium
{
    public const string Path = "/usr/bin/chromium";

    /// <summary>Loads <paramref name="url"/>; gives the DOM after scripts, Chromium's log (console messages included), and writes a screenshot.</summary>
    public static async Task<(string Dom, string Log)> LoadAsync(string url, string screenshot)
    {
        if (!File.Exists(Path))
        {
            throw new InvalidOperationException($"Chromium is not installed at {Path}: apt-get install chromium");
        }

        string profile = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "probe-chromium-" + Guid.NewGuid().ToString("n")[..8]);
        string[] common =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=3000",
        ];
        (string dom, string log) = await RunAsync([.. common, "--dump-dom", url]);
        await RunAsync([.. common, "--window-size=1280,2600", $"--screenshot={screenshot}", url]);
        Directory.Delete(profile, recursive: true);
        return (dom, log);
    }

    private static async Task<(string Out, string Err)> RunAsync(string[] args)
    {
        var start = new ProcessStartInfo(Path, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        return (await stdout, await stderr);
    }
}
