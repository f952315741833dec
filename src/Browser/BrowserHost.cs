using Microsoft.Playwright;

namespace Probe.Browser;

/// <summary>
/// One headless Chromium per process, started on first use through Playwright (its driver ships in the
/// package; the browser is the system's, <c>/usr/bin/chromium</c> or <c>PROBE_CHROMIUM</c>, never a
/// download), and a cap on the journeys it runs at once (<c>PROBE_BROWSER_CONCURRENCY</c>, default 2):
/// a browser page costs tens of megabytes, so browser steps are for synthetics and small loads, and
/// journeys beyond the cap wait their turn (the wait counts in their latency).
/// </summary>
internal static class BrowserHost
{
    private static readonly Lazy<Task<IBrowser>> Shared = new(LaunchAsync);

    /// <summary>The cap on journeys at once in this process.</summary>
    public static SemaphoreSlim Turns { get; } = new(Concurrency());

    /// <summary>The Chromium to run: PROBE_CHROMIUM, else Debian's.</summary>
    public static string Executable => Environment.GetEnvironmentVariable("PROBE_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <exception cref="InvalidOperationException">No Chromium where <see cref="Executable"/> says.</exception>
    public static Task<IBrowser> BrowserAsync() => Shared.Value;

    private static async Task<IBrowser> LaunchAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"browser steps need Chromium at {Executable}: apt-get install chromium, or set PROBE_CHROMIUM to its path");
        }

        IPlaywright playwright = await Playwright.CreateAsync().ConfigureAwait(false);
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        }).ConfigureAwait(false);

        // Chromium and the driver are this process's children: close them before it exits, so a stopped runner
        // leaves no browser winding down behind it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Close(playwright, browser);
        return browser;
    }

    private static void Close(IPlaywright playwright, IBrowser browser)
    {
        try
        {
            _ = browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // Already gone: nothing to close.
        }

        playwright.Dispose();
    }

    private static int Concurrency() =>
        int.TryParse(Environment.GetEnvironmentVariable("PROBE_BROWSER_CONCURRENCY"), out int n) && n > 0 ? n : 2;
}
