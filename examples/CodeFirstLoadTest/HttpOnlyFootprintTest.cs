using Probe.Scenarios.Suite;
using Xunit;

namespace Probe.Examples.CodeFirstLoadTest;

/// <summary>
/// What an HTTP-only load test carries: this project references Probe.Scenarios and Probe.Exporter, not
/// Probe.Browser, so Playwright and its driver (about 136 MB) stay out of its build, and a suite with a
/// browser step tells it which package that step needs.
/// </summary>
public sealed class HttpOnlyFootprintTest
{
    [Fact]
    public void Build_WithoutProbeBrowser_HasNoPlaywright()
    {
        string deps = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Probe.Examples.CodeFirstLoadTest.deps.json"));

        Assert.Contains("Probe.Scenarios", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("Playwright", deps, StringComparison.Ordinal);
    }

    [Fact]
    public void Suite_WithABrowserStep_NamesThePackageItNeeds()
    {
        var error = Assert.Throws<SuiteException>(() => SuiteLoader.Parse("""
            { "targets": { "t": { "url": "http://127.0.0.1:9" } }, "scenarios": { "s": { "steps": [
              { "name": "sign-in", "browser": { "actions": [ { "goto": "/app" } ] } } ] } } }
            """));

        SuiteError only = Assert.Single(error.Errors);
        Assert.Equal("$.scenarios.s.steps[0].browser", only.Path);
        Assert.Contains("Probe.Browser package", only.Message, StringComparison.Ordinal);
        Assert.Contains("Probe.Browser.BrowserSteps.Register()", only.Message, StringComparison.Ordinal);
    }
}
