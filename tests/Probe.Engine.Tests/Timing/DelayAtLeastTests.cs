using Probe.Engine.Timing;
using Probe.TestUtils;

namespace Probe.Engine.Tests.Timing;

public class DelayAtLeastTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(40)]
    [InlineData(150)]
    public async Task DelayAtLeast_TimersFiringEarly_StillWaitsTheWholeTime(int milliseconds)
    {
        // The fault a CI run met: think times of 150 + 100 ms took 247 ms in all, because timers are armed
        // against a coarse clock that can lag the precise one by up to 4 ms. This clock's timers are armed
        // the same way.
        var clock = new EarlyTimers(out FakeTimeProvider fake);
        TimeSpan duration = TimeSpan.FromMilliseconds(milliseconds);
        long start = clock.GetTimestamp();

        Task wait = clock.DelayAtLeastAsync(duration, CancellationToken.None);
        Advance(fake, wait);

        await wait;
        // Never shorter; longer by at most a coarse step and the rounding to whole milliseconds.
        TimeSpan waited = clock.GetElapsedTime(start);
        Assert.InRange(waited, duration, duration + EarlyTimers.Step + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task DelayAtLeast_TimersFiringEarly_PlainDelayEndsShort()
    {
        // The clock above does produce the fault: without the re-check, the same wait ends early.
        var clock = new EarlyTimers(out FakeTimeProvider fake);
        long start = clock.GetTimestamp();

        Task wait = Task.Delay(TimeSpan.FromMilliseconds(150), clock);
        Advance(fake, wait);

        await wait;
        Assert.True(clock.GetElapsedTime(start) < TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public async Task DelayAtLeast_Cancelled_Throws()
    {
        var fake = new FakeTimeProvider();
        using var cancel = new CancellationTokenSource();
        Task wait = fake.DelayAtLeastAsync(TimeSpan.FromSeconds(1), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait);
    }

    /// <summary>Moves the clock in quarter milliseconds until <paramref name="wait"/> ends, each step once the wait has armed its next timer (a timer's continuation runs on the thread pool).</summary>
    private static void Advance(FakeTimeProvider fake, Task wait)
    {
        while (true)
        {
            Assert.True(SpinWait.SpinUntil(() => wait.IsCompleted || fake.PendingTimers > 0, TimeSpan.FromSeconds(10)), "the wait armed no timer");
            if (wait.IsCompleted)
            {
                return;
            }

            fake.Advance(TimeSpan.FromMilliseconds(0.25));
        }
    }

    /// <summary>
    /// A clock whose timers are armed as the runtime's are, against a coarse clock that moves in steps of
    /// <see cref="Step"/>: due at the coarse time plus the delay, fired at the first step at or after
    /// that. So a timer fires up to one step early by the precise clock, but never before time has moved.
    /// </summary>
    private sealed class EarlyTimers : TimeProvider
    {
        public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(4);

        private readonly FakeTimeProvider inner;

        /// <summary>Starts 3.75 ms into a coarse step, where timers fire earliest.</summary>
        public EarlyTimers(out FakeTimeProvider fake)
        {
            fake = inner = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(3.75));
        }

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime == Timeout.InfiniteTimeSpan || dueTime == TimeSpan.Zero)
            {
                return inner.CreateTimer(callback, state, dueTime, period);
            }

            long now = inner.GetUtcNow().Ticks;
            long coarseDue = (now / Step.Ticks * Step.Ticks) + dueTime.Ticks;
            long fires = (coarseDue + Step.Ticks - 1) / Step.Ticks * Step.Ticks;
            return inner.CreateTimer(callback, state, TimeSpan.FromTicks(fires - now), period);
        }
    }
}
