using System.Collections.Concurrent;
using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>Live figures of one scenario: its iterations, its steps, the scheduler's own lag and drops, and the load per second.</summary>
internal sealed class ScenarioStats
{
    private readonly ConcurrentDictionary<string, StepStats> _steps = new(StringComparer.Ordinal);
    private readonly List<LoadSample> _load = [];
    private readonly int _stripes;
    private long _dropped;
    private long _lastDropped;

    public ScenarioStats(string name, int stripes)
    {
        Name = name;
        _stripes = stripes;
        Iterations = new StepStats(name, stripes);
        SchedulerLag = new LatencyHistogram(stripes);
    }

    public string Name { get; }

    /// <summary>Whole iterations: the scenario function's result and time.</summary>
    public StepStats Iterations { get; }

    /// <summary>Open model: how late the generator itself started each iteration once it was eligible.</summary>
    public LatencyHistogram SchedulerLag { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    public StepStats Step(string name) =>
        _steps.TryGetValue(name, out StepStats? found) ? found : _steps.GetOrAdd(name, static (n, s) => new StepStats(n, s), _stripes);

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Cuts second <paramref name="second"/> for the iterations, every step, and the load.</summary>
    public void TakeSecond(int second, TimeSpan duration, double load, int inFlight)
    {
        Iterations.TakeSecond(second, duration);
        foreach (StepStats step in _steps.Values)
        {
            step.TakeSecond(second, duration);
        }

        long dropped = Dropped;
        lock (_load)
        {
            _load.Add(new LoadSample(second, load, inFlight, dropped - _lastDropped));
            _lastDropped = dropped;
        }
    }

    public ScenarioSnapshot Snapshot(TimeSpan measured, double currentLoad, int inFlight)
    {
        LoadSample[] load;
        lock (_load)
        {
            load = _load.ToArray();
        }

        return new ScenarioSnapshot
        {
            Name = Name,
            Iterations = Iterations.Snapshot(measured),
            Steps = _steps.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => s.Snapshot(measured)).ToArray(),
            SchedulerLag = SchedulerLag.Summarize(),
            Dropped = Dropped,
            CurrentLoad = currentLoad,
            InFlight = inFlight,
            Load = load,
        };
    }
}
