using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;

namespace Probe.Engine.Running;

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
    private readonly Lock _timerLock = new();
    private ITimer? _timer;
    private bool _timerClosed;
    private readonly long _second;
    private long _nextTick;

    public RunSampler(IReadOnlyList<ScenarioRuntime> runtimes, RunOptions options, long start, Action<string> abort)
    {
        _runtimes = runtimes;
        _options = options;
        _clock = new Timestamps(options.Time);
        _start = start;
        _abort = abort;
        _lastCut = new long[runtimes.Count];
        _nextSecond = new int[runtimes.Count];
        _second = _clock.FromTimeSpan(TimeSpan.FromSeconds(1));
    }

    public TimeSpan? PlannedDuration { get; init; }

    /// <summary>
    /// Ticks on every whole second from the plan's start (which may be a moment ahead) until <paramref name="stop"/>.
    /// Each tick arms the next one at its own whole second, not a period after the last: a tick that runs late (a
    /// stalled process, or a clock moved while it ran) shifts no later tick, and the seconds a stall swallowed are
    /// reported once, by the first tick after it.
    /// </summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using CancellationTokenRegistration registration = stop.Register(() => stopped.TrySetResult());
        _nextTick = Math.Max(_start, _clock.Now) + _second;
        _timer = _options.Time.CreateTimer(_ => OnTimer(stop), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_timerLock)
        {
            Arm();
        }

        try
        {
            await stopped.Task.ConfigureAwait(false);
        }
        finally
        {
            lock (_timerLock)
            {
                _timerClosed = true;
            }

            await _timer.DisposeAsync().ConfigureAwait(false);
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

    private void OnTimer(CancellationToken stop)
    {
        if (stop.IsCancellationRequested)
        {
            return;
        }

        long now = _clock.Now;
        lock (_timerLock)
        {
            // Armed before the tick's work, so a clock that moves while it works cannot move the next second.
            do
            {
                _nextTick += _second;
            }
            while (_nextTick <= now);

            Arm();
        }

        Tick(now);
    }

    /// <summary>Arms the timer for <see cref="_nextTick"/>; the caller holds <see cref="_timerLock"/>.</summary>
    private void Arm()
    {
        if (!_timerClosed)
        {
            _timer!.Change(_clock.ToTimeSpan(Math.Max(0, _nextTick - _clock.Now)), Timeout.InfiniteTimeSpan);
        }
    }

    internal void Tick(long now)
    {
        ScenarioSnapshot[] snapshots;
        lock (_lock)
        {
            for (int i = 0; i < _runtimes.Count; i++)
            {
                Cut(i, now, final: false);
            }

            snapshots = Snapshots(now);
        }

        TimeSpan elapsed = _clock.ToTimeSpan(now - _start);
        CheckAborts(snapshots, elapsed);
        _options.OnProgress?.Invoke(new RunProgress(elapsed, PlannedDuration, snapshots));
    }

    /// <summary>
    /// Each scenario's figures so far, without cutting a second. Called once before the run starts, it
    /// compiles the summaries of the scenarios' own steps and checks, which the first tick would otherwise
    /// compile beside the schedule.
    /// </summary>
    internal ScenarioSnapshot[] Snapshots(long now) =>
        _runtimes.Select((rt, i) => rt.Stats.Snapshot(Measured(i, now), rt.CurrentLoad(now), rt.InFlight()) with { Phase = rt.PhaseText(), Checks = rt.Definition.Checks?.Invoke() }).ToArray();

    private void Cut(int i, long now, bool final)
    {
        ScenarioRuntime rt = _runtimes[i];
        long from = Math.Max(_lastCut[i], rt.MeasureFrom);
        if (now <= from && !final)
        {
            return;
        }

        TimeSpan duration = _clock.ToTimeSpan(Math.Max(0, now - from));
        if (final && _nextSecond[i] > 0 && duration < TimeSpan.FromMilliseconds(1))
        {
            // The run ended a hair after the last cut: what ended in that hair joins the last second
            // (it used to be dropped, and a run then counted one iteration fewer than it made).
            rt.Stats.FoldIntoLastSecond(duration, rt.CurrentLoad(now), rt.InFlight());
        }
        else if (duration > TimeSpan.Zero)
        {
            rt.Stats.TakeSecond(_nextSecond[i]++, duration, rt.CurrentLoad(now), rt.InFlight());
        }

        _lastCut[i] = Math.Max(_lastCut[i], now);
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
