using System.Collections.Concurrent;
using System.Threading.Channels;
using Probe.Runner.Synthetics.Scheduling;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// A scheduler on a fake clock whose checks record when they ran. <see cref="SettleAsync"/> waits (on
/// signals, not sleeps) until the loop has gone back to sleep and every run it started is either still
/// in its check or booked as ended by the scheduler.
/// </summary>
internal sealed class SchedulerHarness : IAsyncDisposable
{
    private readonly Channel<DateTimeOffset> _waits = Channel.CreateUnbounded<DateTimeOffset>();
    private readonly SemaphoreSlim _recorded = new(0);
    private readonly SemaphoreSlim _changed = new(0);
    private int _held;
    private int _ended;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset _sleepingUntil;

    public SchedulerHarness(DateTimeOffset start, Func<ScheduledScenario, bool, Task<bool>>? run = null, int seed = 7)
    {
        Time = new FakeTimeProvider(start);
        run ??= (_, _) => Task.FromResult(true);
        Scheduler = new SyntheticScheduler(Time, new Random(seed), async (check, recheck, cancellation) =>
        {
            Runs.Enqueue((check.ToString(), recheck, Time.GetUtcNow()));
            _recorded.Release();
            _changed.Release();
            Task<bool> answer = run(check, recheck);
            if (answer.IsCompleted)
            {
                return await answer;
            }

            // Only a run the test holds counts as settled while in its check: one that merely has not
            // finished yet on a busy machine would still be running when the clock moves and the next
            // tick would be skipped as an overlap (CI lost 93 of 200 runs that way).
            Interlocked.Increment(ref _held);
            _changed.Release();
            try
            {
                return await answer;
            }
            finally
            {
                Interlocked.Decrement(ref _held);
                _changed.Release();
            }
        });
        Scheduler.Waiting += due => _waits.Writer.TryWrite(due);
        Scheduler.RunEnded += () =>
        {
            Interlocked.Increment(ref _ended);
            _changed.Release();
        };
    }

    public FakeTimeProvider Time { get; }

    public SyntheticScheduler Scheduler { get; }

    public ConcurrentQueue<(string Check, bool Recheck, DateTimeOffset At)> Runs { get; } = new();

    public static ScheduledScenario Every(string scenario, string every, string jitter = "0s", string region = "local", bool queue = false, string? recheck = null) =>
        new(region, scenario, ScenarioSchedule.From(new ScheduleSpec(Probe.Engine.Timing.DurationText.Parse(every), null, Probe.Engine.Timing.DurationText.Parse(jitter))
        {
            QueueOverlaps = queue,
            Recheck = recheck is null ? null : Probe.Engine.Timing.DurationText.Parse(recheck),
        }));

    public static ScheduledScenario Cron(string scenario, string cron) =>
        new("local", scenario, ScenarioSchedule.From(new ScheduleSpec(null, cron, TimeSpan.Zero)));

    /// <summary>Schedules <paramref name="checks"/> and starts the loop; returns the time it then sleeps until.</summary>
    public Task<DateTimeOffset> BeginAsync(params ScheduledScenario[] checks)
    {
        Scheduler.Set(checks);
        _loop = Scheduler.RunAsync(_stop.Token);
        return SettleAsync();
    }

    /// <summary>Waits until the loop sleeps until a future time with every started run recorded; returns that time.</summary>
    public async Task<DateTimeOffset> SettleAsync()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            DateTimeOffset due = await _waits.Reader.ReadAsync(limit.Token);
            if (due > Time.GetUtcNow())
            {
                _sleepingUntil = due;
                break;
            }
        }

        // Every started run is either held by the test inside its check or booked as ended, so the
        // next move of the clock finds the scheduler as a real one would after that time.
        while (Scheduler.Counters.Started != Volatile.Read(ref _ended) + Volatile.Read(ref _held))
        {
            await _changed.WaitAsync(limit.Token);
        }

        return _sleepingUntil;
    }

    /// <summary>Waits (on each run's signal) until at least <paramref name="count"/> runs have been recorded.</summary>
    public async Task WaitForRunsAsync(int count, CancellationToken cancellation = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(TimeSpan.FromSeconds(20));
        while (Runs.Count < count)
        {
            await _recorded.WaitAsync(limit.Token);
        }
    }

    /// <summary>Moves the clock to the time the loop sleeps until and settles again.</summary>
    public async Task<DateTimeOffset> StepAsync()
    {
        Time.Advance(_sleepingUntil - Time.GetUtcNow());
        return await SettleAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        _recorded.Dispose();
        _changed.Dispose();
    }
}
