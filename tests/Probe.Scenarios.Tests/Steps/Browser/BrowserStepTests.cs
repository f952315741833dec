using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.Browser;
using Probe.DemoTarget;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Browser;

/// <summary>
/// The browser step in Debian's Chromium (through Playwright) against real pages on loopback: the demo
/// target's banking front end signing in and showing the balance; the same page broken by an injected
/// server fault; and a page whose script throws whose image is missing, and a click on nothing.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class BrowserStepTests
{
    private const string Journey = """
        { "name": "sign-in", "timeout": "20s", "checks": ["status == 200", "body contains \"USD\""],
          "browser": { "actions": [
            { "goto": "/app" },
            { "fill": "#name", "value": "alice" },
            { "click": "text=Sign in" },
            { "expect_text": "Welcome, alice" },
            { "expect_selector": "#balance" },
            { "expect_url": "/app/account" } ] } }
        """;

    public BrowserStepTests() => BrowserSteps.Register(); // a C# test reads browser steps once Probe.Browser is registered

    [Fact]
    public async Task Journey_ThroughTheDemoBanksFrontEnd_PassesWithNavigationTimingAndWebVitals()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        var facts = new Facts();

        (StepSnapshot step, string screenshots) = await RunAsync(target.Address, Journey, facts);

        Assert.True(step.Ok == 1, string.Join("; ", step.FailureMessages));
        Assert.Contains("ttfb", step.Phases.Keys);
        WebVitals vitals = Assert.Single(facts.Vitals, v => v.Step == "sign-in").Vitals;
        Assert.InRange(vitals.TtfbMs, 0, 20_000);
        Assert.InRange(vitals.FcpMs, vitals.TtfbMs, 20_000); // the page paints after its first byte
        Assert.InRange(vitals.Cls, 0, 1);
        Assert.False(Directory.Exists(screenshots) && Directory.EnumerateFiles(screenshots).Any(), "a passing journey leaves no screenshot");
    }

    [Fact]
    public async Task Journey_WhenThePageBreaks_FailsWithTheStatusAndAScreenshotOfThePage()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        target.Faults.Settings = target.Faults.Settings with { ErrorRate = 1 };

        (StepSnapshot step, string screenshots) = await RunAsync(target.Address, Journey, new Facts());

        string failure = Assert.Single(step.FailureMessages);
        Assert.StartsWith("status: goto \"/app\" answered 500 (screenshot: ", failure, StringComparison.Ordinal);
        string shot = Assert.Single(Directory.GetFiles(screenshots, "*.png"));
        Assert.Contains(shot, failure, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(shot)[..4]);
    }

    [Fact]
    public async Task Journey_OnAPageWhoseScriptThrowsOrWhoseImageIsMissing_FailsSayingWhich()
    {
        await using LoopbackServer site = await LoopbackServer.StartAsync(app =>
        {
            app.MapGet("/throws", () => Results.Content("<!DOCTYPE html><html><body><h1>Hi</h1><script>throw new Error('boom at start')</script></body></html>", "text/html"));
            app.MapGet("/image", () => Results.Content("<!DOCTYPE html><html><body><h1>Hi</h1><img src=\"/missing.png\"></body></html>", "text/html"));
            app.MapGet("/plain", () => Results.Content("<!DOCTYPE html><html><body><h1>Hi</h1></body></html>", "text/html"));
        });

        (StepSnapshot throws, _) = await RunAsync(site.Address, """{ "name": "throws", "browser": { "actions": [ { "goto": "/throws" }, { "expect_text": "Hi" } ] } }""", new Facts());
        (StepSnapshot image, _) = await RunAsync(site.Address, """{ "name": "image", "browser": { "actions": [ { "goto": "/image" }, { "expect_text": "Hi" } ] } }""", new Facts());
        (StepSnapshot missing, _) = await RunAsync(site.Address, """{ "name": "missing", "timeout": "2s", "browser": { "actions": [ { "goto": "/plain" }, { "click": "#nowhere" } ] } }""", new Facts());

        Assert.Matches("^check: after goto \"/throws\": a script threw: .*boom at start", Assert.Single(throws.FailureMessages));
        Assert.Matches("^check: after goto \"/image\": request GET http://127\\.0\\.0\\.1:\\d+/missing\\.png answered 404", Assert.Single(image.FailureMessages));
        Assert.Matches("^check: click \"#nowhere\": no such element appeared within the step's 2s", Assert.Single(missing.FailureMessages));
    }

    /// <summary>Runs <paramref name="step"/> once against <paramref name="target"/>, screenshots into a fresh folder.</summary>
    private static async Task<(StepSnapshot Step, string Screenshots)> RunAsync(Uri target, string step, IStepFacts facts)
    {
        SuiteDefinition suite = SuiteLoader.Parse($$"""
            { "targets": { "t": { "url": "{{target}}" } },
              "scenarios": { "s": { "steps": [ {{step}} ], "load": { "iterations_for_constant": { "copies": 1, "iterations": 1 } } } } }
            """);
        string screenshots = Path.Combine(Path.GetTempPath(), "probe-shots-" + Guid.NewGuid().ToString("n")[..8]);
        using BoundSuite bound = SuiteBinder.Bind(suite, new BindOptions { Facts = facts, Screenshots = screenshots });
        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);
        return (Assert.Single(result.Scenario("s").Steps), screenshots);
    }

    private sealed class Facts : IStepFacts
    {
        public ConcurrentQueue<(string Step, WebVitals Vitals)> Vitals { get; } = new();

        public void CertificateExpires(string scenario, string step, DateTimeOffset notAfter)
        {
        }

        public void Llm(string scenario, string step, TokenTimings tokens)
        {
        }

        public void WebVitals(string scenario, string step, WebVitals vitals) => Vitals.Enqueue((step, vitals));
    }
}
