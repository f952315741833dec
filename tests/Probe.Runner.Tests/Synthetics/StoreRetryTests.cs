using Polly;
using Probe.Runner.Synthetics;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>The store-write retries of the synthetics pipeline, on the fake clock.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class StoreRetryTests
{
    [Fact]
    public void StoreRetry_RunnersThatLostTheStoreTogether_DoNotRetryInStep_AndBackOffUpToFiveSeconds()
    {
        // Two regions' runners see the same outage begin at the same moment.
        TimeSpan[] first = Gaps(OutageOf(attempts: 10));
        TimeSpan[] second = Gaps(OutageOf(attempts: 10));

        Assert.NotEqual(first, second);
        Assert.All(first.Concat(second), gap => Assert.InRange(gap, TimeSpan.Zero, TimeSpan.FromSeconds(5) + Step));
        foreach (TimeSpan[] gaps in new[] { first, second })
        {
            Assert.True(gaps[^4..].Sum(g => g.Ticks) > gaps[..4].Sum(g => g.Ticks), $"the waits should grow: {string.Join(", ", gaps)}");
        }
    }

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(10);

    /// <summary>When each write was tried, for a store that refuses the first <paramref name="attempts"/> - 1.</summary>
    private static List<DateTimeOffset> OutageOf(int attempts)
    {
        var time = new FakeTimeProvider();
        var tried = new List<DateTimeOffset>();
        ResiliencePipeline retry = ResultPipeline.StoreRetry(time, e => e is IOException, _ => { });
        Task run = retry.ExecuteAsync(_ =>
        {
            lock (tried)
            {
                tried.Add(time.GetUtcNow());
                return tried.Count < attempts ? throw new IOException("the store is down") : ValueTask.CompletedTask;
            }
        }).AsTask();

        // Move the clock only while a retry waits, so each attempt is dated by the time its wait ended.
        while (!run.IsCompleted)
        {
            Assert.True(SpinWait.SpinUntil(() => run.IsCompleted || time.PendingTimers > 0, TimeSpan.FromSeconds(30)), "the retry neither ended nor waited");
            if (!run.IsCompleted)
            {
                time.Advance(Step);
            }
        }

        run.GetAwaiter().GetResult();
        lock (tried)
        {
            Assert.Equal(attempts, tried.Count);
            return [.. tried];
        }
    }

    private static TimeSpan[] Gaps(List<DateTimeOffset> times) => times.Zip(times.Skip(1), (a, b) => b - a).ToArray();
}
