using Probe.Runner.Serving;
using Probe.Runner.Synthetics;
using Probe.Runner.Results;

namespace Probe.Runner.Tests.Synthetics;

[Collection(RealTimeCollection.Name)]
public class StatusPageTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.999, 0.9995, "50% left")]
    [InlineData(0.999, 0.999, "0% left")]
    [InlineData(0.999, 0.0, "<span class=\"fail\">exhausted</span>: burned 1000× the budget")]
    [InlineData(1.0, 0.99, "<span class=\"fail\">exhausted</span>")]
    public void Render_ErrorBudget_IsTheShareLeftOrExhaustedWithTheBurnRate(double objective, double attainment, string shown)
    {
        double remaining = objective >= 1 ? double.NegativeInfinity : 1 - ((1 - attainment) / (1 - objective));
        var slo = new SloStatus("availability", "availability", objective, TimeSpan.FromDays(30), attainment, remaining, new Dictionary<string, double>());

        string page = StatusPage.Render(Snapshot([], [slo]), 0, storeUp: true, TimeSpan.FromSeconds(15));

        Assert.Contains(shown, page, StringComparison.Ordinal);
        Assert.DoesNotContain("-99", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ACheckInARegion_ShowsTheDayHourByHourWithTheLastFailureReason()
    {
        double?[] history = [.. Enumerable.Repeat<double?>(null, 20), 1.0, 0.75, 0.0, 1.0];
        var last = new SyntheticResult(Guid.NewGuid(), "s", "health", "eu-west", "api", At, TimeSpan.FromMilliseconds(12), false, "timeout", "no answer within the step's timeout", 0, []);
        var region = new RegionStatus("eu-west", last, 0.5, 0.9, 240) { History = history };
        var check = new ScenarioStatus("health", "every 30s", [region], 0, false);

        string page = StatusPage.Render(Snapshot([check], []), 0, storeUp: true, TimeSpan.FromSeconds(15));

        Assert.Contains("✗ timeout", page, StringComparison.Ordinal);
        Assert.Equal(24, page.Split("<i class=", StringSplitOptions.None).Length - 1);
        Assert.Equal(20, page.Split("<i class=\"none\"", StringSplitOptions.None).Length - 1);
        string hour(int back) => At.UtcDateTime.AddHours(-back).ToString("HH:00", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"<i class=\"ok\" title=\"{hour(0)} UTC until now: 100% ok\"></i>", page, StringComparison.Ordinal);
        Assert.Contains($"<i class=\"bad\" title=\"{hour(1)}–{hour(0)} UTC: 0% ok\"></i>", page, StringComparison.Ordinal);
        Assert.Contains($"<i class=\"some\" title=\"{hour(2)}–{hour(1)} UTC: 75% ok\"></i>", page, StringComparison.Ordinal);
    }

    private static StatusSnapshot Snapshot(IReadOnlyList<ScenarioStatus> checks, IReadOnlyList<SloStatus> slos) =>
        new(At, "s", "sqlite:results.db", ["eu-west"], 1, checks, [], slos, null);
}
