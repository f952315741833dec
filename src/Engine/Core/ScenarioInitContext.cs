namespace Probe.Engine.Core;

/// <summary>What a scenario's init and clean hooks see.</summary>
public sealed class ScenarioInitContext
{
    internal ScenarioInitContext(string scenarioName, Dictionary<string, object?> data, ScenarioLog log, CancellationToken cancellation)
    {
        ScenarioName = scenarioName;
        Data = data;
        Log = log;
        Cancellation = cancellation;
    }

    public string ScenarioName { get; }

    /// <summary>Data shared with every iteration (read-only there).</summary>
    public IDictionary<string, object?> Data { get; }

    public ScenarioLog Log { get; }

    public CancellationToken Cancellation { get; }
}
