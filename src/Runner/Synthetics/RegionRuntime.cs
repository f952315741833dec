using Probe.Engine.Running;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Synthetics;

/// <summary>
/// One region of the runner: the suite bound with its own HTTP clients (and its simulated network
/// conditions), and each scheduled scenario ready to run on demand.
/// </summary>
internal sealed class RegionRuntime : IAsyncDisposable
{
    private readonly BoundSuite _bound;
    private readonly Dictionary<string, OnDemandScenario> _scenarios;

    private RegionRuntime(string region, BoundSuite bound, Dictionary<string, OnDemandScenario> scenarios)
    {
        Region = region;
        _bound = bound;
        _scenarios = scenarios;
    }

    public string Region { get; }

    public SuiteDefinition Suite => _bound.Suite;

    /// <summary>Binds <paramref name="scenarios"/> of the suite for <paramref name="region"/> and runs their init hooks.</summary>
    public static async Task<RegionRuntime> StartAsync(SuiteDefinition suite, string region, IReadOnlyList<string> scenarios, BindOptions options, Action<string>? log, CancellationToken cancellation)
    {
        BoundSuite bound = SuiteBinder.Bind(suite, options with { Scenarios = scenarios });
        var onDemand = bound.Scenarios.ToDictionary(s => s.Name, s => new OnDemandScenario(s, options.Time, log), StringComparer.Ordinal);
        var runtime = new RegionRuntime(region, bound, onDemand);
        try
        {
            foreach (OnDemandScenario s in onDemand.Values)
            {
                await s.StartAsync(cancellation);
            }
        }
        catch
        {
            await runtime.DisposeAsync();
            throw;
        }

        return runtime;
    }

    public Task<IterationOutcome> RunAsync(string scenario, CancellationToken cancellation) => _scenarios[scenario].RunOnceAsync(cancellation);

    public bool Has(string scenario) => _scenarios.ContainsKey(scenario);

    /// <summary>Every check of this region's bound suite with its evaluations and failures so far.</summary>
    public IReadOnlyList<Probe.Engine.Stats.CheckReport> CheckReports() => _bound.Checks.Reports();

    public async ValueTask DisposeAsync()
    {
        foreach (OnDemandScenario s in _scenarios.Values)
        {
            await s.DisposeAsync();
        }

        _bound.Dispose();
    }
}
