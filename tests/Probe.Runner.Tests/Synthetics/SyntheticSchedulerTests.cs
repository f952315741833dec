using Xunit;

namespace Probe.Runner.Tests.Synthetics;

[Collection(RealTimeCollection.Name)]
public class SyntheticSchedulerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_NoJitter_RunsAtStartThenOnEveryPeriodBoundary()
    {
        await using var h = new SchedulerHarness(Start.AddSeconds(7));
        Assert.Equal(Start.AddSeconds(30), await h.BeginAsync(SchedulerHarness.Every("smoke", "30s")));
        Assert.Equal(Start.AddSeconds(60), await h.StepAsync());
        Assert.Equal(Start.AddSeconds(90), await h.StepAsync());

        Assert.Equal([Start.AddSeconds(7), Start.AddSeconds(30), Start.AddSeconds(60)], h.Runs.Select(r => r.At));
        Assert.Equal(0, h.Scheduler.Counters.Missed);
    }

    [Theory]
    [InlineData(1.0)] // a delay of -1 ms, Task.Delay's "infinite": the loop slept for ever with 720 checks due
    [InlineData(1.5)]
    [InlineData(0.0001)]
    [InlineData(0.0)]
    public void SleepUntil_ADueTimeAlreadyPast_DoesNotWait(double msLate)
    {
        var time = new Probe.TestUtils.FakeTimeProvider(Start);
        Task sleep = Probe.Runner.Synthetics.Scheduling.SyntheticScheduler.SleepUntil(Start.AddMilliseconds(-msLate), time, default);
        Assert.True(sleep.IsCompleted);
    }

    [Fact]
    public void SleepUntil_WakesAtTheDueTime_OrWhenWokenWithoutOne()
    {
        var time = new Probe.TestUtils.FakeTimeProvider(Start);
        using var wake = new CancellationTokenSource();
        Task sleep = Probe.Runner.Synthetics.Scheduling.SyntheticScheduler.SleepUntil(Start.AddMilliseconds(1), time, default);
        Task forever = Probe.Runner.Synthetics.Scheduling.SyntheticScheduler.SleepUntil(null, time, wake.Token);
        Assert.False(sleep.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(sleep.IsCompletedSuccessfully);
        time.Advance(TimeSpan.FromDays(1));
        Assert.False(forever.IsCompleted);
        wake.Cancel();
        Assert.True(forever.IsCanceled);
    }

    [Fact]
    public async Task Set_AgainAndAgainWhileTheLoopWakes_NeverThrows()
    {
        // Set wakes the loop by cancelling what it sleeps on; the loop disposed that after waking and only then
        // took the lock to sleep anew. A Set in between threw ObjectDisposedException with the new checks
        // already in force, and a reload said "rejected: the previous configuration keeps running" (a CI run met it).
        var time = new Probe.TestUtils.FakeTimeProvider(Start);
        var scheduler = new Probe.Runner.Synthetics.Scheduling.SyntheticScheduler(time, new Random(7), (_, _, _) => Task.FromResult(true));
        Probe.Runner.Synthetics.Scheduling.ScheduledScenario[] checks = [SchedulerHarness.Every("smoke", "1h")];
        int wakes = 0;
        var asleep = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Waiting += _ =>
        {
            Interlocked.Increment(ref wakes);
            asleep.TrySetResult();
        };
        using var stop = new CancellationTokenSource();
        Task loop = Task.Run(() => scheduler.RunAsync(stop.Token));
        await asleep.Task;

        // Set after Set at uneven gaps, from a thread of its own, while the loop wakes for each on the pool.
        await Task.Factory.StartNew(
            () =>
            {
                var gap = new Random(7);
                for (int i = 0; i < 20_000; i++)
                {
                    scheduler.Set(checks);
                    Thread.SpinWait(gap.Next(1_000));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        await stop.CancelAsync();
        await loop;
        Assert.True(wakes > 1, $"the loop woke {wakes} times: the Sets never met it awake");
    }

    [Fact]
    public async Task Behind_ALoopThatKeepsTime_IsZero()
    {
        await using var h = new SchedulerHarness(Start.AddSeconds(7));
        await h.BeginAsync(SchedulerHarness.Every("smoke", "30s"));
        Assert.Equal(TimeSpan.Zero, h.Scheduler.Behind);
        h.Time.Advance(TimeSpan.FromSeconds(20)); // not yet due
        Assert.Equal(TimeSpan.Zero, h.Scheduler.Behind);
        await h.StepAsync();
        await h.StepAsync();
        Assert.Equal(TimeSpan.Zero, h.Scheduler.Behind);
    }

    [Fact]
    public async Task Behind_ALoopThatNeverWakes_GrowsWithTheTimePastItsDueCheck()
    {
        // The stall a soak met (every check stopped with no error): the loop's wake-up never comes.
        // This clock's timers never fire, the fault on demand; Behind is what /readyz and
        // probe_synthetics_scheduler_behind_seconds report.
        var time = new Probe.TestUtils.FakeTimeProvider(Start.AddSeconds(7));
        var deaf = new NoWakeups(time);
        var scheduler = new Probe.Runner.Synthetics.Scheduling.SyntheticScheduler(deaf, new Random(7), (_, _, _) => Task.FromResult(true));
        var sleeping = new TaskCompletionSource<DateTimeOffset>(TaskCreationOptions.RunContinuationsAsynchronously);
        scheduler.Waiting += due => sleeping.TrySetResult(due);
        scheduler.Set([SchedulerHarness.Every("smoke", "30s")]);
        using var stop = new CancellationTokenSource();
        Task loop = scheduler.RunAsync(stop.Token);

        DateTimeOffset due = await sleeping.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(Start.AddSeconds(30), due);
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.Zero, scheduler.Behind);
        time.Advance(TimeSpan.FromSeconds(95));
        Assert.Equal(TimeSpan.FromSeconds(92), scheduler.Behind);

        await stop.CancelAsync();
        await loop;
        Assert.Equal(TimeSpan.Zero, scheduler.Behind);
    }

    /// <summary>A clock whose timers are armed but never fire.</summary>
    private sealed class NoWakeups(Probe.TestUtils.FakeTimeProvider inner) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(static _ => { }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    [Fact]
    public async Task Every_StartedJustBeforeATick_WaitsForTheTickInsteadOfRunningTwiceInARow()
    {
        // The regression: at scale, a start-up run and the first tick a moment later collided, and the
        // tick was skipped as an overlap (599 of 600 checks in a 200-check, 3-region runner).
        await using var h = new SchedulerHarness(Start.AddSeconds(22));
        Assert.Equal(Start.AddSeconds(30), await h.BeginAsync(SchedulerHarness.Every("smoke", "30s")));
        Assert.Equal(Start.AddSeconds(60), await h.StepAsync());

        Assert.Equal([Start.AddSeconds(30)], h.Runs.Select(r => r.At));
        Assert.Equal(0, h.Scheduler.Counters.OverlapSkipped);
    }

    [Fact]
    public async Task Every_WithJitter_EachStartFallsWithinTheJitterAfterItsTick()
    {
        await using var h = new SchedulerHarness(Start);
        await h.BeginAsync(SchedulerHarness.Every("smoke", "10s", jitter: "3s"));
        for (int i = 0; i < 200; i++)
        {
            await h.StepAsync();
        }

        double[] offsets = h.Runs.Select(r => (r.At - Start).TotalSeconds % 10).ToArray();
        Assert.Equal(200, offsets.Length);
        Assert.All(offsets, o => Assert.InRange(o, 0, 3));
        Assert.True(offsets.Min() < 0.3 && offsets.Max() > 2.7, $"starts should spread over the jitter, found {offsets.Min():0.00}..{offsets.Max():0.00} s");
        var ticks = h.Runs.Select(r => (long)((r.At - Start).TotalSeconds / 10)).ToArray();
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), ticks);
    }

    [Fact]
    public async Task Every_AfterAPause_RunsOnceAndCountsTheMissedRuns()
    {
        await using var h = new SchedulerHarness(Start);
        await h.BeginAsync(SchedulerHarness.Every("smoke", "30s"));

        h.Time.Jump(TimeSpan.FromMinutes(10));
        DateTimeOffset next = await h.SettleAsync();

        Assert.Equal(2, h.Runs.Count);
        Assert.Equal(19, h.Scheduler.Counters.Missed);
        Assert.Equal(Start.AddMinutes(10).AddSeconds(30), next);
        await h.StepAsync();
        Assert.Equal(3, h.Runs.Count);
    }

    [Fact]
    public async Task Cron_WaitsForItsTimeAndRunsOnlyThen()
    {
        await using var h = new SchedulerHarness(Start.AddHours(1));
        Assert.Equal(Start.AddHours(3), await h.BeginAsync(SchedulerHarness.Cron("nightly", "0 3 * * *")));
        Assert.Empty(h.Runs);
        Assert.Equal(Start.AddDays(1).AddHours(3), await h.StepAsync());
        Assert.Equal(Start.AddDays(2).AddHours(3), await h.StepAsync());
        Assert.Equal([Start.AddHours(3), Start.AddDays(1).AddHours(3)], h.Runs.Select(r => r.At));
    }

    [Fact]
    public async Task Overlap_Skip_ARunDueWhileThePreviousIsGoingIsSkippedAndCounted()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var h = new SchedulerHarness(Start, (_, _) => release.Task);
        await h.BeginAsync(SchedulerHarness.Every("slow", "10s"));
        await h.StepAsync();
        await h.StepAsync();

        Assert.Single(h.Runs);
        Assert.Equal(2, h.Scheduler.Counters.OverlapSkipped);
        release.SetResult(true);
    }

    [Fact]
    public async Task Overlap_Queue_ARunDueWhileThePreviousIsGoingStartsWhenItEnds()
    {
        var first = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        int calls = 0;
        await using var h = new SchedulerHarness(Start, (_, _) => Interlocked.Increment(ref calls) == 1 ? first.Task : Task.FromResult(true));
        await h.BeginAsync(SchedulerHarness.Every("slow", "10s", queue: true));
        await h.StepAsync();
        await h.StepAsync();
        Assert.Single(h.Runs);
        Assert.Equal(1, h.Scheduler.Counters.OverlapQueued);
        Assert.Equal(1, h.Scheduler.Counters.OverlapSkipped);

        first.SetResult(true);
        await h.WaitForRunsAsync(2);

        Assert.Equal(Start.AddSeconds(20), h.Runs.Last().At);
    }

    [Fact]
    public async Task Recheck_AfterAFailure_RunsOnceMoreSooner()
    {
        await using var h = new SchedulerHarness(Start, (_, recheck) => Task.FromResult(recheck));
        DateTimeOffset next = await h.BeginAsync(SchedulerHarness.Every("flaky", "5m", recheck: "20s"));
        while (next != Start.AddSeconds(20))
        {
            next = await h.SettleAsync(); // the failed run queued its re-check and woke the loop
        }

        Assert.Equal(Start.AddMinutes(5), await h.StepAsync());
        Assert.Equal([(false, Start), (true, Start.AddSeconds(20))], h.Runs.Select(r => (r.Recheck, r.At)));
        Assert.Equal(1, h.Scheduler.Counters.Rechecks);
    }

    [Fact]
    public async Task Set_RemovedCheck_StopsBeingScheduledAndChangedOneStartsOver()
    {
        await using var h = new SchedulerHarness(Start);
        await h.BeginAsync(SchedulerHarness.Every("a", "10s"), SchedulerHarness.Every("b", "10s"));
        h.Scheduler.Set([SchedulerHarness.Every("b", "20s")]);
        await h.SettleAsync();
        await h.StepAsync();
        await h.StepAsync();

        Assert.Equal([Start], h.Runs.Where(r => r.Check == "a@local").Select(r => r.At));
        Assert.Equal([Start, Start, Start.AddSeconds(20), Start.AddSeconds(40)], h.Runs.Where(r => r.Check == "b@local").Select(r => r.At));
    }

    [Fact]
    public async Task RunError_CountsAsAFailedRun_AndTheCheckStaysOnItsSchedule()
    {
        int calls = 0;
        await using var h = new SchedulerHarness(Start, (_, _) => Interlocked.Increment(ref calls) == 1 ? throw new InvalidOperationException("a bug of Probe's own") : Task.FromResult(true));
        Assert.Equal(Start.AddSeconds(10), await h.BeginAsync(SchedulerHarness.Every("smoke", "10s")));
        Assert.Equal(Start.AddSeconds(20), await h.StepAsync());
        Assert.Equal(Start.AddSeconds(30), await h.StepAsync());

        Assert.Equal([Start, Start.AddSeconds(10), Start.AddSeconds(20)], h.Runs.Select(r => r.At));
        Assert.Equal(1, h.Scheduler.Counters.RunErrors);
        Assert.Equal(0, h.Scheduler.Counters.OverlapSkipped);
    }
}
