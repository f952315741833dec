using Microsoft.Playwright;

namespace Probe.TestUtils;

/// <summary>
/// Debian's Chromium driven by Playwright (its driver ships in the package; no browser download), to
/// check pages as a person sees them: elements, console errors, and screenshots of single elements.
/// Fails (never skips) when Chromium is missing.
/// </summary>
public sealed class TestBrowser : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private TestBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    public static async Task<TestBrowser> StartAsync()
    {
        if (!File.Exists(HeadlessChromium.Path))
        {
            throw new InvalidOperationException($"Chromium is not installed at {HeadlessChromium.Path}: apt-get install chromium (./test.sh does)");
        }

        IPlaywright playwright = await Playwright.CreateAsync();
        IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = HeadlessChromium.Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        return new TestBrowser(playwright, browser);
    }

    /// <summary>Opens <paramref name="url"/> in a fresh page (1280 px wide); console errors and page errors are collected into <paramref name="errors"/>.</summary>
    public async Task<IPage> OpenAsync(string url, List<string> errors)
    {
        IPage page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lock (errors)
                {
                    errors.Add($"{message.Type}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add($"page error: {error}");
            }
        };
        await page.GotoAsync(url);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
