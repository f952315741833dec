using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;

namespace Probe.Engine.Scheduling;

/// <summary>
/// Once a second: cuts each scenario's per-second sample, evaluates abort-on-fail thresholds on the
/// trailing window, and reports progress. Runs on the run's <see cref="TimeProvider"/>.
/// </summary>
internal sealed class RunSampler
{
    private readonly IReadOnlyList<ScenarioRuntime> _runtimes;
    private readonly RunOptions _options;
    private readonly Timestamps _clock;
    private readonly long _start;
    private readonly Action<string> _abort;
    private readonly long[] _lastCut;
    private readonly int[] _nextSecond;
    private readonly Lock _lock = new();

    public RunSampler(IReadOnlyList<ScenarioRuntime> runtimes, RunOptions options, long start, Action<string> abort)
    {
        _runtimes = runtimes;
        _options = options;
        _clock = new Timestamps(options.Time);
        _start = start;
        _abort = abort;
        _lastCut = new long[runtimes.Count];
        _nextSecond = new int[runtimes.Count];
    }

    public TimeSpan? PlannedDuration { get; init; }

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _options.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                Tick(_clock.Now);
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }

    /// <summary>Cuts the last, usually partial, second at <paramref name="end"/>.</summary>
    public void CutFinal(long end)
    {
        lock (_lock)
        {
            for (int i = 0; i < _runtimes.Count; i++)
            {
                Cut(i, end, final: true);
            }
        }
    }

    /// <summary>The measured time of scenario <paramref name="index"/> up to <paramref name="end"/>.</summary>
    public TimeSpan Measured(int index, long end) =>
        _clock.ToTimeSpan(Math.Max(0, end - _runtimes[index].MeasureFrom));

    private void Tick(long now)
    {
        ScenarioSnapshot[] snapshots;
        lock (_lock)
        {
            for (int i = 0; i < _runtimes.Count; i++)
            {
                Cut(i, now, final: false);
            }

            snapshots = _runtimes.Select((rt, i) => rt.Stats.Snapshot(Measured(i, now), rt.CurrentLoad(now), rt.InFlight())).ToArray();
        }

        TimeSpan elapsed = _clock.ToTimeSpan(now - _start);
        CheckAborts(snapshots, elapsed);
        _options.OnProgress?.Invoke(new RunProgress(elapsed, PlannedDuration, snapshots));
    }

    private void Cut(int i, long now, bool final)
    {
        ScenarioRuntime rt = _runtimes[i];
        long from = Math.Max(_lastCut[i], rt.MeasureFrom);
        if (now <= from || (final && now - from < _clock.FromTimeSpan(TimeSpan.FromMilliseconds(1)) && _nextSecond[i] > 0))
        {
            return;
        }

        rt.Stats.TakeSecond(_nextSecond[i]++, _clock.ToTimeSpan(now - from), rt.CurrentLoad(now), rt.InFlight());
        _lastCut[i] = now;
    }

    private void CheckAborts(ScenarioSnapshot[] snapshots, TimeSpan elapsed)
    {
        for (int i = 0; i < _runtimes.Count; i++)
        {
            foreach (ThresholdSpec spec in _runtimes[i].Definition.Thresholds)
            {
                if (!spec.AbortOnFail || elapsed < spec.DelayAbortEval)
                {
                    continue;
                }

                ThresholdResult result = ThresholdEvaluator.Evaluate(spec, snapshots[i], trailingOnly: true);
                if (!result.Passed && !double.IsNaN(result.Observed))
                {
                    _abort($"threshold '{result.Expression}' on {result.Subject} failed {DurationText.Format(TimeSpan.FromSeconds(Math.Floor(elapsed.TotalSeconds)))} into the run (observed {result.ObservedText}) and aborts on fail");
                    return;
                }
            }
        }
    }
}
