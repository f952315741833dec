using Probe.DemoTarget;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Engine.Verdicts;
using Probe.Exporter;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Fluent;
using Probe.Scenarios.Suite;
using Xunit;

namespace Probe.Examples.CodeFirstLoadTest;

/// <summary>
/// The barbershop seed's knowledge-search check as a C# load test: the same steps, checks,
/// thresholds and reports as the suite file, run by xUnit. The gate is the verdict.
/// </summary>
[Collection("load tests")] // one load test at a time: two at once would share this machine's cores
public sealed class KnowledgeSearchLoadTest : IAsyncLifetime
{
    private DemoTargetHost _service = null!;

    public async Task InitializeAsync() => _service = await DemoTargetHost.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task KnowledgeSearch_TenUsersAfterAWarmUp_MeetsItsSlo()
    {
        using BoundSuite search = ProbeScenario.Create("knowledge-search", _service.Address)
            .Http("search", h => h
                .Post("/api/knowledge/search")
                .Json(new { query = "haircut prices", shopId = 1, limit = 3 })
                .Check("status == 200")
                .Check("body.results.length >= 1")
                .Check("latency < 500ms"))
            .Rag("golden", [new GoldenQuestion("How much is a haircut?", ["$30"], ["pricing.md"])])
            .Load(Simulation.RampingConstant(10, TimeSpan.FromSeconds(1)), Simulation.KeepConstant(10, TimeSpan.FromSeconds(3)))
            .WarmUp(TimeSpan.FromSeconds(1)) // the first second pays for compiling and connecting: not counted
            .Thresholds("error_rate < 1%", "p95 < 3s")
            .Thresholds(new ThresholdSpec("p95 < 500ms", Step: "search"))
            .Build();

        // The same report folder as `probe run` writes: summary.json, report.html, report.md, junit.xml, metrics.prom, stats.csv…
        string folder = Path.Combine(Path.GetTempPath(), "probe-code-first", Guid.NewGuid().ToString("n"));
        RunResult result = await ProbeRunner.RegisterScenarios(search.Scenarios)
            .WithTestSuite("code-first")
            .WithReportFolder(folder)
            .WithTallies(search.Checks.Reports, search.Rag.Reports)
            .RunAsync();

        Assert.True(result.Verdict == Verdict.Passed, File.ReadAllText(Path.Combine(folder, "report.md")));
        Assert.True(File.Exists(Path.Combine(folder, "report.html")));
        Assert.True(result.Scenario("knowledge-search").Step("search")!.Count > 100);
        Assert.Equal(1.0, search.Rag.Reports()[0].PassRate);
    }
}
