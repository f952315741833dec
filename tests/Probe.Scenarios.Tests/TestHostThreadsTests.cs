using Probe.Tests;

namespace Probe.Scenarios.Tests;

/// <summary>
/// The timed tests here (a 20 ms answer, tokens 2 ms apart) need the thread pool to run their
/// continuations at once; see <see cref="TestHostThreads"/> for what the test platform takes from it.
/// </summary>
public sealed class TestHostThreadsTests
{
    [Fact]
    public void ThePool_KeepsOneThreadPerCore_BesideTheThreadsThePlatformHolds()
    {
        ThreadPool.GetMinThreads(out int workers, out _);

        Assert.True(workers >= Environment.ProcessorCount + TestHostThreads.HeldByThePlatform, $"the pool's minimum is {workers} threads on {Environment.ProcessorCount} cores");
    }
}
