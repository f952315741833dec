namespace Probe.Runner.Synthetics.Scheduling;

/// <summary>
/// Runs checks on their schedules: one loop keeps every check's next due time (its period or cron
/// time plus a random share of its jitter) in a priority queue and sleeps on the
/// <see cref="TimeProvider"/> until the earliest. After a pause the check runs once and the due
/// times it slept through are counted as missed, never replayed in a burst. A check still running
/// when it is due again is skipped (counted) or queued once, as its schedule says; a failed run may
/// be re-checked sooner.
/// </summary>
internal sealed class SyntheticScheduler
{
    public delegate Task<bool> RunCheck(ScheduledScenario check, bool recheck, CancellationToken cancellation);

    private readonly Lock _lock = new();
    private readonly PriorityQueue<(Entry Entry, bool Recheck), DateTimeOffset> _queue = new();
    private readonly Dictionary<(string Region, string Scenario), Entry> _entries = [];
    private readonly List<Task> _running = [];
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly RunCheck _run;
    private readonly CancellationTokenSource _cancelRuns = new();
    private CancellationTokenSource? _wait;
    private DateTimeOffset? _sleepingUntil;
    private bool _stopping;

    public SyntheticScheduler(TimeProvider time, Random random, RunCheck run)
    {
        _time = time;
        _random = random;
        _run = run;
    }

    public SchedulerCounters Counters { get; } = new();

    /// <summary>Raised when the loop goes to sleep until the given due time (tests await it instead of sleeping).</summary>
    public event Action<DateTimeOffset>? Waiting;

    /// <summary>Raised once per run, after the scheduler has booked its end (the check is free to start again).</summary>
    public event Action? RunEnded;

    /// <summary>Checks running now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _running.Count(t => !t.IsCompleted);
            }
        }
    }

    /// <summary>
    /// How long the loop has slept past the earliest due time without waking to start it: zero while it
    /// keeps time (or has nothing scheduled). A scheduler that stops waking (a lost timer, a starved thread
    /// pool) stops every check without an error; this grows without bound then, so it can be alerted on.
    /// </summary>
    public TimeSpan Behind
    {
        get
        {
            lock (_lock)
            {
                return _sleepingUntil is { } due && _time.GetUtcNow() - due is { Ticks: > 0 } late ? late : TimeSpan.Zero;
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="checks"/> the scheduled set: new checks start, removed ones stop being
    /// scheduled (a run in progress finishes), and a check whose schedule changed starts over.
    /// </summary>
    public void Set(IEnumerable<ScheduledScenario> checks)
    {
        lock (_lock)
        {
            DateTimeOffset now = _time.GetUtcNow();
            var wanted = checks.ToDictionary(c => (c.Region, c.Scenario));
            foreach (var (key, entry) in _entries.ToArray())
            {
                if (!wanted.TryGetValue(key, out ScheduledScenario? check) || check.Schedule.Spec != entry.Check.Schedule.Spec)
                {
                    entry.Removed = true;
                    _entries.Remove(key);
                }
            }

            foreach (var (key, check) in wanted)
            {
                if (_entries.ContainsKey(key))
                {
                    continue;
                }

                var entry = new Entry(check);
                entry.Nominal = check.Schedule.FirstDue(now);
                Enqueue(entry, entry.Nominal);
                _entries[key] = entry;
            }

            _wait?.Cancel();
        }
    }

    /// <summary>Schedules until <paramref name="stop"/> is cancelled; runs in progress then go on (see <see cref="DrainAsync"/>).</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            DateTimeOffset? next;
            CancellationTokenSource wait;
            lock (_lock)
            {
                DateTimeOffset now = _time.GetUtcNow();
                while (_queue.TryPeek(out var item, out DateTimeOffset due) && due <= now)
                {
                    _queue.Dequeue();
                    Fire(item.Entry, item.Recheck, due, now);
                }

                while (_queue.TryPeek(out var stale, out _) && stale.Entry.Removed)
                {
                    _queue.Dequeue();
                }

                next = _sleepingUntil = _queue.TryPeek(out _, out DateTimeOffset first) ? first : null;
                _wait = wait = CancellationTokenSource.CreateLinkedTokenSource(stop);
            }

            try
            {
                // Arm the timer before telling anyone the loop sleeps, so a clock moved on that news finds it.
                Task sleep = SleepUntil(next, _time, wait.Token);
                Waiting?.Invoke(next ?? DateTimeOffset.MaxValue);
                await sleep.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
            }
            catch (OperationCanceledException)
            {
                // Woken by Set or stopped.
            }
            finally
            {
                // Out of reach first, then disposed: a Set or a run's end cancels _wait under the lock, and
                // cancelling a disposed source throws (a reload then failed half applied).
                lock (_lock)
                {
                    _wait = null;
                }

                wait.Dispose();
            }
        }

        lock (_lock)
        {
            _stopping = true;
            _sleepingUntil = null;
        }
    }

    /// <summary>
    /// What the loop sleeps on until <paramref name="next"/> (for ever when null, until woken). A due time
    /// already past is no sleep at all: <c>Task.Delay</c> reads a delay of exactly -1 ms as "infinite", so
    /// computing the delay as "due minus now" and passing it on stopped every check for good whenever the
    /// clock read exactly 1 ms past the next due time (it did, once, 28 minutes into a soak).
    /// </summary>
    internal static Task SleepUntil(DateTimeOffset? next, TimeProvider time, CancellationToken cancellation)
    {
        if (next is not { } at)
        {
            return Task.Delay(Timeout.InfiniteTimeSpan, time, cancellation);
        }

        TimeSpan delay = at - time.GetUtcNow();
        return delay > TimeSpan.Zero ? Task.Delay(delay, time, cancellation) : Task.CompletedTask;
    }

    /// <summary>Waits up to <paramref name="grace"/> for running checks, then cancels the rest and waits for them to end.</summary>
    public async Task DrainAsync(TimeSpan grace)
    {
        Task[] running;
        lock (_lock)
        {
            _stopping = true;
            running = [.. _running];
        }

        Task all = Task.WhenAll(running);
        if (await Task.WhenAny(all, Task.Delay(grace, _time)).ConfigureAwait(false) != all)
        {
            await _cancelRuns.CancelAsync().ConfigureAwait(false);
            await all.ConfigureAwait(false);
        }
    }

    private void Fire(Entry entry, bool recheck, DateTimeOffset due, DateTimeOffset now)
    {
        if (entry.Removed)
        {
            return;
        }

        if (recheck)
        {
            entry.RecheckPending = false;
            if (!entry.Running)
            {
                Counters.CountRecheck();
                Start(entry, recheck: true, due);
            }

            return;
        }

        Counters.CountMissed(entry.Check.Schedule.CountBetween(entry.Nominal, now));
        entry.Nominal = entry.Check.Schedule.NextAfter(now);
        Enqueue(entry, entry.Nominal);
        if (!entry.Running)
        {
            Start(entry, recheck: false, due);
        }
        else if (entry.Check.QueueOverlaps && !entry.QueuedNext)
        {
            entry.QueuedNext = true;
            Counters.CountOverlapQueued();
        }
        else
        {
            Counters.CountOverlapSkipped();
        }
    }

    private void Enqueue(Entry entry, DateTimeOffset nominal)
    {
        if (nominal == DateTimeOffset.MaxValue)
        {
            return;
        }

        TimeSpan jitter = entry.Check.Jitter;
        DateTimeOffset due = jitter > TimeSpan.Zero ? nominal + TimeSpan.FromTicks((long)(_random.NextDouble() * jitter.Ticks)) : nominal;
        _queue.Enqueue((entry, false), due);
    }

    private void Start(Entry entry, bool recheck, DateTimeOffset due)
    {
        if (_stopping)
        {
            return;
        }

        entry.Running = true;
        Counters.CountStarted();
        _running.RemoveAll(t => t.IsCompleted);
        _running.Add(Task.Run(() => RunEntryAsync(entry, recheck, due)));
    }

    private async Task RunEntryAsync(Entry entry, bool recheck, DateTimeOffset due)
    {
        // Lateness as the check sees it: from its intended start (jitter included) to now, on its own thread.
        Counters.StartDelay.Record(Math.Max(0, (_time.GetUtcNow() - due).Ticks * 100));
        while (true)
        {
            bool ok;
            try
            {
                ok = await _run(entry.Check, recheck, _cancelRuns.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ok = true; // shutting down: no re-check
            }
            catch (Exception)
            {
                // An error of Probe's own in the run (the runner logs a scenario's): a failed run, and the check stays on its schedule
                // rather than being marked running for ever and skipped as an overlap from then on.
                Counters.CountRunError();
                ok = false;
            }

            bool done;
            lock (_lock)
            {
                DateTimeOffset now = _time.GetUtcNow();
                if (!ok && !recheck && entry.Check.Recheck is { } after && !entry.RecheckPending && !entry.Removed)
                {
                    entry.RecheckPending = true;
                    _queue.Enqueue((entry, true), now + after);
                    _wait?.Cancel();
                }

                done = !entry.QueuedNext || _stopping || entry.Removed;
                if (done)
                {
                    entry.Running = false;
                    entry.QueuedNext = false;
                }
                else
                {
                    entry.QueuedNext = false;
                    Counters.CountStarted();
                    recheck = false;
                }
            }

            RunEnded?.Invoke();
            if (done)
            {
                return;
            }
        }
    }

    /// <summary>One scheduled check's state; guarded by the scheduler's lock.</summary>
    private sealed class Entry(ScheduledScenario check)
    {
        public ScheduledScenario Check { get; } = check;

        public DateTimeOffset Nominal { get; set; }

        public bool RecheckPending { get; set; }

        public bool Running { get; set; }

        public bool QueuedNext { get; set; }

        public bool Removed { get; set; }
    }
}
