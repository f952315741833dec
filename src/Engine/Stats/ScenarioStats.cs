using System.Collections.Concurrent;
using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>Live figures of one scenario: its iterations, its steps, the scheduler's own lag and drops, and the load per second.</summary>
internal sealed class ScenarioStats
{
    private readonly ConcurrentDictionary<string, StepStats> _steps = new(StringComparer.Ordinal);
    private readonly List<LoadSample> _load = [];
    private readonly int _stripes;
    private readonly List<LateStart> _lateStarts = [];
    private long _dropped;
    private long _late;
    private long _lastDropped;
    private StepStats? _last;

    private readonly Func<string, string>? _messageFilter;

    public ScenarioStats(string name, int stripes, Func<string, string>? messageFilter = null)
    {
        Name = name;
        _stripes = stripes;
        _messageFilter = messageFilter;
        Iterations = new StepStats(name, stripes, messageFilter);
        SchedulerLag = new LatencyHistogram(stripes);
    }

    public string Name { get; }

    /// <summary>Whole iterations: the scenario function's result and time.</summary>
    public StepStats Iterations { get; }

    /// <summary>Open model: how late the generator itself started each iteration once it was eligible.</summary>
    public LatencyHistogram SchedulerLag { get; }

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// The figures of step <paramref name="name"/>. The step found last is tried first, by reference:
    /// a step records under the same name string every time, so a one-step scenario looks its step up
    /// without hashing the name on each request.
    /// </summary>
    public StepStats Step(string name)
    {
        StepStats? last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Name, name))
        {
            return last;
        }

        StepStats found = _steps.TryGetValue(name, out StepStats? known) ? known : _steps.GetOrAdd(name, static (n, self) => new StepStats(n, self._stripes, self._messageFilter), this);
        Volatile.Write(ref _last, found);
        return found;
    }

    public void CountDropped() => Interlocked.Increment(ref _dropped);

    /// <summary>Counts an iteration started <paramref name="lag"/> late, <paramref name="at"/> into the measured run.</summary>
    public void CountLateStart(TimeSpan at, TimeSpan lag)
    {
        if (Interlocked.Increment(ref _late) <= LateStarts.Kept)
        {
            lock (_lateStarts)
            {
                _lateStarts.Add(new LateStart(at, lag));
            }
        }
    }

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

    /// <summary>Adds the figures since the last cut to the last second, which becomes <paramref name="duration"/> longer (see <see cref="StepStats.FoldIntoLastSecond"/>).</summary>
    public void FoldIntoLastSecond(TimeSpan duration, double load, int inFlight)
    {
        Iterations.FoldIntoLastSecond(duration);
        foreach (StepStats step in _steps.Values)
        {
            step.FoldIntoLastSecond(duration);
        }

        long dropped = Dropped;
        lock (_load)
        {
            LoadSample sample = _load.Count > 0 ? _load[^1] : new LoadSample(0, load, inFlight, 0);
            sample = sample with { Dropped = sample.Dropped + dropped - _lastDropped };
            if (_load.Count > 0)
            {
                _load[^1] = sample;
            }
            else
            {
                _load.Add(sample);
            }

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
            LateStarts = LateStartsSoFar(),
            Dropped = Dropped,
            CurrentLoad = currentLoad,
            InFlight = inFlight,
            Load = load,
        };
    }

    private LateStarts LateStartsSoFar()
    {
        long count = Interlocked.Read(ref _late);
        if (count == 0)
        {
            return LateStarts.None;
        }

        lock (_lateStarts)
        {
            return new LateStarts(count, _lateStarts.OrderBy(s => s.At).ToArray());
        }
    }
}
