namespace Probe.Engine.Core;

/// <summary>A scenario's log: lines go to the run's log sink (<see cref="Running.RunOptions.Log"/>), prefixed with the scenario.</summary>
public sealed class ScenarioLog
{
    private readonly Action<string>? _sink;
    private readonly string _prefix;

    internal ScenarioLog(string scenario, Action<string>? sink)
    {
        _sink = sink;
        _prefix = $"[{scenario}] ";
    }

    public void Info(string message) => _sink?.Invoke(_prefix + message);

    public void Warn(string message) => _sink?.Invoke(_prefix + "warning: " + message);
}
