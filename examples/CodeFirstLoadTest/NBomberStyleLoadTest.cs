using Probe.DemoTarget;
using Probe.Engine.Core;
using Probe.Engine.Simulations;
using Probe.Engine.Verdicts;
using Probe.Exporter;
using Probe.Scenarios.Fluent;
using Xunit;

namespace Probe.Examples.CodeFirstLoadTest;

/// <summary>
/// The same knowledge search written as an NBomber user writes a load test: Scenario.Create with
/// Step.Run steps returning Response.Ok/Fail, the Http helpers, InjectRandom, and a runner that writes
/// the report folder and returns the verdict (docs/nbomber.md sets it beside its NBomber original).
/// </summary>
[Collection("load tests")] // one load test at a time: two at once would share this machine's cores
public sealed class NBomberStyleLoadTest : IAsyncLifetime
{
    private DemoTargetHost _service = null!;

    public async Task InitializeAsync() => _service = await DemoTargetHost.StartAsync();

    public async Task DisposeAsync() => await _service.DisposeAsync();

    [Fact]
    public async Task KnowledgeSearch_RandomArrivalsAfterAWarmUp_PassesAndWritesTheReports()
    {
        using var httpClient = new HttpClient();
        string baseUrl = _service.Address.ToString().TrimEnd('/');

        // Warm the client and the code path first, as a team would before a gate: a cold process (a CI
        // machine's first test) spends its first second compiling, which the schedule would count as late.
        for (int i = 0; i < 20; i++)
        {
            var warm = Http.CreateRequest("POST", $"{baseUrl}/api/knowledge/search").WithJsonBody(new { query = "haircut prices", shopId = 1, limit = 3 });
            _ = await Http.Send(httpClient, warm);
            using var health = await httpClient.GetAsync(new Uri($"{baseUrl}/health"));
        }

        var scenario = Scenario.Create("knowledge_search", async context =>
        {
            var search = await Step.Run("search", context, async () =>
            {
                var request = Http.CreateRequest("POST", $"{baseUrl}/api/knowledge/search")
                    .WithHeader("Accept", "application/json")
                    .WithJsonBody(new { query = "haircut prices", shopId = 1, limit = 3 });
                return await Http.Send(httpClient, request, context.Cancellation);
            });
            if (!search.IsOk)
            {
                return Response.Fail(statusCode: search.StatusCode, message: "search failed");
            }

            await Step.Run("health", context, async () =>
            {
                using var response = await httpClient.GetAsync(new Uri($"{baseUrl}/health"), context.Cancellation);
                return response.IsSuccessStatusCode
                    ? Response.Ok(statusCode: (int)response.StatusCode)
                    : Response.Fail(statusCode: (int)response.StatusCode, message: "unhealthy");
            });
            return Response.Ok();
        })
        .WithWarmUpDuration(TimeSpan.FromSeconds(2))
        .WithLoadSimulations(
            Simulation.InjectRandom(minRate: 20, maxRate: 40, interval: TimeSpan.FromSeconds(1), during: TimeSpan.FromSeconds(5)))
        .WithThresholds("p95 < 500ms", "error_rate < 1%");

        string folder = Path.Combine(Path.GetTempPath(), "probe-nbomber-style", Guid.NewGuid().ToString("n"));
        var result = await ProbeRunner.RegisterScenarios(scenario)
            .WithTestSuite("nbomber-style")
            .WithReportFolder(folder)
            .WithReportFormats("html", "md", "csv", "json")
            .RunAsync();

        Assert.True(result.Verdict == Verdict.Passed, File.ReadAllText(Path.Combine(folder, "report.md")));
        Assert.Equal(["report.html", "report.md", "stats.csv", "summary.json", "timeline.csv"], Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        // Three counted seconds (after the warm-up) of 20 to 40 arrivals each; each iteration made both steps.
        long iterations = result.Scenario("knowledge_search").Iterations.Count;
        Assert.InRange(iterations, 60, 120);
        Assert.Equal(iterations, result.Scenario("knowledge_search").Step("search")!.Ok);
        Assert.Equal(iterations, result.Scenario("knowledge_search").Step("health")!.Ok);
    }
}
