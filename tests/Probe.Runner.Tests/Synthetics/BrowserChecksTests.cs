using System.Net.Http.Json;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// A browser journey as a synthetic check, as a user runs it: <c>probe synthetics</c> signs in to the
/// demo target's front end in Debian's Chromium, publishes the page's Web Vitals, and when the page
/// breaks stores a failed result whose message names the screenshot it wrote under the data folder.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class BrowserChecksTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task BrowserCheck_PublishesWebVitals_AndAFailureNamesItsScreenshot()
    {
        string folder = ProbeProcess.TempFolder();
        int port = ProbeProcess.FreePort();
        string suite = Path.Combine(folder, "browser.json");
        File.WriteAllText(suite, $$"""
            {
              "version": 1,
              "suite": "web",
              "targets": { "demo": { "url": "http://127.0.0.1:{{port}}", "demo": true } },
              "regions": ["local"],
              "scenarios": {
                "sign-in": {
                  "target": "demo",
                  "steps": [ { "name": "journey", "timeout": "20s", "browser": { "actions": [
                    { "goto": "/app" }, { "fill": "#name", "value": "alice" }, { "click": "#go" }, { "expect_text": "Welcome, alice" } ] } } ],
                  "schedule": { "every": "2s" }
                }
              }
            }
            """);
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--refresh", "1s");
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result" && e.GetProperty("ok").GetBoolean(), Limit);

        using var http = new HttpClient { BaseAddress = runner.Address };
        string metrics = await Poll.UntilAsync(c => http.GetStringAsync("metrics", c), m => m.Contains("probe_browser_web_vital_seconds{", StringComparison.Ordinal), Limit);
        Assert.Matches("probe_browser_web_vital_seconds\\{suite=\"web\",scenario=\"sign-in\",step=\"journey\",region=\"local\",vital=\"fcp\"\\} [0-9.e-]+", metrics);
        Assert.Contains("probe_browser_cumulative_layout_shift{suite=\"web\",scenario=\"sign-in\",step=\"journey\",region=\"local\"}", metrics, StringComparison.Ordinal);

        using var demo = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        (await demo.PutAsJsonAsync("_demo/faults", new { error_rate = 1.0 })).EnsureSuccessStatusCode();
        // A journey that was past its goto when the faults began fails at a later action ("after click …"): that
        // is right too, but the journey to look at is one that began after them, whose goto is answered 500.
        var failed = await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "result" && !e.GetProperty("ok").GetBoolean() && e.GetProperty("message").GetString()!.StartsWith("goto ", StringComparison.Ordinal), Limit);
        string message = failed.GetProperty("message").GetString()!;
        Assert.StartsWith("goto \"/app\" answered 500 (screenshot: ", message, StringComparison.Ordinal);
        string shot = message[(message.IndexOf("(screenshot: ", StringComparison.Ordinal) + 13)..^1];
        Assert.StartsWith(Path.Combine(folder, "probe-data", "screenshots"), Path.GetFullPath(shot, folder), StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.GetFullPath(shot, folder)).Length > 1000, "the screenshot shows the broken page");

        // A stopped runner leaves no browser behind: Playwright's driver and Chromium are gone with it.
        int[] children = Descendants(runner.Id);
        Assert.NotEmpty(children);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
        Assert.DoesNotContain(children, Alive);
    }

    /// <summary>Whether the process runs still (a zombie waiting for its parent to reap it does not).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone
        }
    }

    /// <summary>Every process below <paramref name="root"/> (Linux /proc).</summary>
    private static int[] Descendants(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid) && File.Exists(Path.Combine(dir, "stat")))
            {
                try
                {
                    string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // The process ended while we looked.
                }
            }
        }

        var found = new HashSet<int> { root };
        bool more = true;
        while (more)
        {
            more = false;
            foreach ((int pid, int parent) in parents)
            {
                if (found.Contains(parent) && found.Add(pid))
                {
                    more = true;
                }
            }
        }

        found.Remove(root);
        return [.. found];
    }
}
