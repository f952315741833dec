using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Playwright;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Suite;

namespace Probe.Browser;

/// <summary>
/// Runs one journey in a fresh browser context (no cookies or cache from the run before): each action
/// within what is left of the step's timeout, then the page's navigation timing and Web Vitals, its
/// visible text for the checks, and on failure a full-page screenshot. Reasons: connect (the page could
/// not be reached), status (the main document answered 400 or more), check (an action found nothing, an
/// expectation did not come, the console logged an error, a script threw, a request failed, or a check
/// failed), timeout, internal (no browser).
/// </summary>
internal sealed class BrowserStep
{
    /// <summary>Before the page's scripts: keeps the largest contentful paint and the layout shifts not caused by input (CLS).</summary>
    private const string VitalsScript = """
        (() => {
          const v = { lcp: -1, cls: 0 };
          Object.defineProperty(window, '__probeVitals', { value: v });
          try {
            new PerformanceObserver(l => { for (const e of l.getEntries()) v.lcp = e.renderTime || e.loadTime || e.startTime; }).observe({ type: 'largest-contentful-paint', buffered: true });
            new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) v.cls += e.value; }).observe({ type: 'layout-shift', buffered: true });
          } catch (e) { }
        })();
        """;

    /// <summary>dns, connect, tls, ttfb, transfer (ms; -1 when not measured), then TTFB, FCP, LCP (ms from the navigation's start) and CLS.</summary>
    private const string ReadVitals = """
        () => {
          const n = performance.getEntriesByType('navigation')[0];
          const p = performance.getEntriesByName('first-contentful-paint')[0];
          const v = window.__probeVitals || { lcp: -1, cls: 0 };
          const d = (a, b) => (n && a > 0 && b >= a) ? b - a : -1;
          return [
            n ? d(n.domainLookupStart, n.domainLookupEnd) : -1,
            n ? d(n.connectStart, n.secureConnectionStart > 0 ? n.secureConnectionStart : n.connectEnd) : -1,
            n && n.secureConnectionStart > 0 ? d(n.secureConnectionStart, n.connectEnd) : -1,
            n ? d(n.requestStart, n.responseStart) : -1,
            n ? d(n.responseStart, n.responseEnd) : -1,
            n ? n.responseStart : -1,
            p ? p.startTime : -1,
            v.lcp,
            v.cls,
          ];
        }
        """;

    private readonly BrowserStepSpec _spec;
    private readonly TargetSpec _target;
    private readonly string _scenario;
    private readonly string _step;
    private readonly TimeProvider _time;
    private readonly IStepFacts? _facts;
    private readonly string _screenshots;
    private readonly StepChecks _checks;

    /// <summary>The target URL's user information, resolved once, as the HTTP steps send it (user, then password after the first colon).</summary>
    private readonly HttpCredentials? _credentials;

    public BrowserStep(BrowserStepSpec spec, TargetSpec target, string scenario, string step, BindOptions options, StepChecks checks)
    {
        _spec = spec;
        _target = target;
        _scenario = scenario;
        _step = step;
        _time = options.Time;
        _facts = options.Facts;
        _screenshots = options.Screenshots ?? Path.Combine(Directory.GetCurrentDirectory(), "screenshots");
        _checks = checks;
        _credentials = target.Credentials is { } credentials && Secrets.Resolve(credentials).Split(':', 2) is [string user, string password]
            ? new HttpCredentials { Username = user, Password = password }
            : null;
    }

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        long start = _time.GetTimestamp();
        IBrowser browser;
        try
        {
            browser = await BrowserHost.BrowserAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or PlaywrightException)
        {
            return StepResult.Fail(FailureReason.Internal, $"the browser did not start: {e.Message}");
        }

        TimeSpan left = Remaining(start);
        if (!await BrowserHost.Turns.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellation).ConfigureAwait(false))
        {
            return StepResult.Fail(FailureReason.Timeout, "timed out waiting for a browser (PROBE_BROWSER_CONCURRENCY journeys at once)");
        }

        try
        {
            return await JourneyAsync(browser, start, cancellation).ConfigureAwait(false);
        }
        finally
        {
            BrowserHost.Turns.Release();
        }
    }

    private async Task<StepResult> JourneyAsync(IBrowser browser, long start, CancellationToken cancellation)
    {
        var options = new BrowserNewContextOptions { BaseURL = _target.Url.ToString(), IgnoreHTTPSErrors = _target.InsecureTls, HttpCredentials = _credentials };

        IBrowserContext context = await browser.NewContextAsync(options).ConfigureAwait(false);
        await using (context.ConfigureAwait(false))
        {
            using CancellationTokenRegistration stop = cancellation.Register(() => _ = context.CloseAsync());
            IPage page = await context.NewPageAsync().ConfigureAwait(false);
            await page.AddInitScriptAsync(VitalsScript).ConfigureAwait(false);
            var problems = new ConcurrentQueue<string>();
            page.Console += (_, m) =>
            {
                // Chromium also logs each failed load to the console; the request events below say it more precisely.
                if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
                {
                    problems.Enqueue($"the console logged an error: {m.Text}");
                }
            };
            page.PageError += (_, error) => problems.Enqueue($"a script threw: {error}");
            page.RequestFailed += (_, r) =>
            {
                if (Counts(r))
                {
                    problems.Enqueue($"request {r.Method} {Shown(r.Url)} failed: {r.Failure}");
                }
            };
            page.Response += (_, r) =>
            {
                if (r.Status >= 400 && r.Request.ResourceType != "document" && Counts(r.Request))
                {
                    problems.Enqueue($"request {r.Request.Method} {Shown(r.Url)} answered {r.Status}");
                }
            };

            int status = 0;
            StepResult? failed = null;
            foreach (BrowserAction action in _spec.Actions)
            {
                float left = (float)Math.Max(1, Remaining(start).TotalMilliseconds);
                page.SetDefaultTimeout(left);
                page.SetDefaultNavigationTimeout(left);
                (failed, int answered) = await ActAsync(page, action, cancellation).ConfigureAwait(false);
                status = answered > 0 ? answered : status;
                failed ??= problems.TryPeek(out string? problem) ? StepResult.Fail(FailureReason.Check, $"after {action}: {problem}", status) : null;
                if (failed is not null)
                {
                    break;
                }
            }

            PhaseTimings phases = await VitalsAsync(page).ConfigureAwait(false);
            long durationNs = _time.ToNanoseconds(_time.GetTimestamp() - start);
            if (failed is null)
            {
                string text = await page.Locator("body").InnerTextAsync().ConfigureAwait(false);
                long size = System.Text.Encoding.UTF8.GetByteCount(text);
                failed = _checks.FirstFailure(new CheckInput(status, durationNs, size, text)) is { } check ? StepResult.Fail(FailureReason.Check, check, status, size) : null;
                if (failed is null)
                {
                    return StepResult.Ok(status, size) with { Phases = phases };
                }
            }

            return (await WithScreenshotAsync(page, failed.Value).ConfigureAwait(false)) with { Phases = phases };
        }
    }

    /// <summary>Does one action; gives its failure (or null) and the main document's status when it loaded one.</summary>
    private async Task<(StepResult? Failed, int Status)> ActAsync(IPage page, BrowserAction action, CancellationToken cancellation)
    {
        try
        {
            switch (action.Kind)
            {
                case BrowserActionKind.Goto:
                    IResponse? response = await page.GotoAsync(action.Argument, new PageGotoOptions { WaitUntil = WaitUntilState.Load }).ConfigureAwait(false);
                    int status = response?.Status ?? 0;
                    return (status >= 400 ? StepResult.Fail(FailureReason.Status, $"{action} answered {status}", status) : null, status);
                case BrowserActionKind.Click:
                    await page.Locator(action.Argument).First.ClickAsync().ConfigureAwait(false);
                    break;
                case BrowserActionKind.Fill:
                    await page.Locator(action.Argument).First.FillAsync(Secrets.Resolve(action.Value!)).ConfigureAwait(false);
                    break;
                case BrowserActionKind.ExpectText:
                    await page.GetByText(action.Argument).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible }).ConfigureAwait(false);
                    break;
                case BrowserActionKind.ExpectSelector:
                    await page.Locator(action.Argument).First.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible }).ConfigureAwait(false);
                    break;
                case BrowserActionKind.ExpectUrl:
                    await page.WaitForURLAsync(url => url.Contains(action.Argument, StringComparison.Ordinal)).ConfigureAwait(false);
                    break;
            }

            return (null, 0);
        }
        catch (System.TimeoutException) when (!cancellation.IsCancellationRequested)
        {
            string what = action.Kind switch
            {
                BrowserActionKind.Goto => "the page did not load",
                BrowserActionKind.Click or BrowserActionKind.Fill => "no such element appeared",
                BrowserActionKind.ExpectUrl => $"the URL stayed {Shown(page.Url)}",
                _ => "it did not appear",
            };
            return (StepResult.Fail(FailureReason.Check, $"{action}: {what} within the step's {DurationText.Format(_spec.Timeout)}"), 0);
        }
        catch (PlaywrightException e) when (!cancellation.IsCancellationRequested)
        {
            string first = e.Message.Split('\n')[0];
            return (StepResult.Fail(action.Kind == BrowserActionKind.Goto && first.Contains("net::ERR_", StringComparison.Ordinal) ? FailureReason.Connect : FailureReason.Check, $"{action}: {first}"), 0);
        }
    }

    /// <summary>The main document's phases (set as the step's), and the Web Vitals sent to the facts sink; none when the page is gone.</summary>
    private async Task<PhaseTimings> VitalsAsync(IPage page)
    {
        double[] v;
        try
        {
            v = await page.EvaluateAsync<double[]>(ReadVitals).ConfigureAwait(false);
        }
        catch (PlaywrightException)
        {
            return PhaseTimings.None;
        }

        _facts?.WebVitals(_scenario, _step, new WebVitals(v[5], v[6], v[7], v[8]));
        return new PhaseTimings(Ns(v[0]), Ns(v[1]), Ns(v[2]), Ns(v[3]), Ns(v[4]));

        static long Ns(double ms) => ms < 0 ? -1 : (long)(ms * 1e6);
    }

    private async Task<StepResult> WithScreenshotAsync(IPage page, StepResult failed)
    {
        string file = Path.Combine(_screenshots, $"{Safe(_scenario)}-{Safe(_step)}-{_time.GetUtcNow().UtcDateTime.ToString("yyyyMMdd'T'HHmmss.fff", CultureInfo.InvariantCulture)}.png");
        try
        {
            Directory.CreateDirectory(_screenshots);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true, Timeout = 5000 }).ConfigureAwait(false);
            return StepResult.Fail(failed.Reason, $"{failed.Message} (screenshot: {file})", failed.StatusCode, failed.SizeBytes);
        }
        catch (Exception e) when (e is PlaywrightException or IOException or UnauthorizedAccessException)
        {
            return failed;
        }
    }

    private TimeSpan Remaining(long start) => _spec.Timeout - _time.GetElapsedTime(start);

    /// <summary>Whether a request's failure is the page's: the icon a browser asks for by itself is not.</summary>
    private static bool Counts(IRequest request) => !Shown(request.Url).EndsWith("/favicon.ico", StringComparison.OrdinalIgnoreCase);

    /// <summary>A URL without its query, as failure messages show it (a query may carry tokens).</summary>
    private static string Shown(string url) => url.Split('?', 2)[0];

    private static string Safe(string name) => string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
