using Probe.Engine.Histograms;

namespace Probe.Runner.Synthetics.Scheduling;

/// <summary>What the scheduler did: runs started, runs a pause skipped, overlaps, re-checks, and how late each start was.</summary>
internal sealed class SchedulerCounters
{
    private long _started;
    private long _missed;
    private long _overlapSkipped;
    private long _overlapQueued;
    private long _rechecks;
    private long _runErrors;

    public long Started => Interlocked.Read(ref _started);

    /// <summary>Due times that passed while the runner could not run (a pause, a suspended process): counted, not replayed.</summary>
    public long Missed => Interlocked.Read(ref _missed);

    public long OverlapSkipped => Interlocked.Read(ref _overlapSkipped);

    public long OverlapQueued => Interlocked.Read(ref _overlapQueued);

    public long Rechecks => Interlocked.Read(ref _rechecks);

    /// <summary>Runs that ended in an error of Probe's own (not the target's): counted as failed runs, and the check stays scheduled.</summary>
    public long RunErrors => Interlocked.Read(ref _runErrors);

    /// <summary>Actual start minus intended start (the due time with its jitter), in nanoseconds.</summary>
    public LatencyHistogram StartDelay { get; } = new(1);

    internal void CountStarted() => Interlocked.Increment(ref _started);

    internal void CountMissed(long n) => Interlocked.Add(ref _missed, n);

    internal void CountOverlapSkipped() => Interlocked.Increment(ref _overlapSkipped);

    internal void CountOverlapQueued() => Interlocked.Increment(ref _overlapQueued);

    internal void CountRecheck() => Interlocked.Increment(ref _rechecks);

    internal void CountRunError() => Interlocked.Increment(ref _runErrors);
}
