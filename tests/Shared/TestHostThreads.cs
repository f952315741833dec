using System.Runtime.CompilerServices;

namespace Probe.Tests;

/// <summary>
/// The test platform keeps two thread-pool threads blocked for the whole run: vstest's message loop polls
/// its socket on one, xUnit's assembly runner waits on another. The pool's minimum is one thread per core,
/// so on a 2-core machine nothing was left of it: a burst of async work (a streamed answer's tokens, a
/// server's replies) waited 0.5–1 s for the pool to add a thread, and a test of a 20 ms answer saw one of
/// a second. Every test assembly raises the minimum as soon as it loads, before its first test.
/// </summary>
internal static class TestHostThreads
{
    /// <summary>Pool threads the test platform holds blocked while tests run.</summary>
    public const int HeldByThePlatform = 2;

    /// <summary>Above one per core: the platform's two, and as many for tests that wait synchronously on purpose.</summary>
    public static int Minimum => Environment.ProcessorCount + (2 * HeldByThePlatform);

    [ModuleInitializer]
    internal static void RaiseThePoolsMinimum()
    {
        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, Minimum), io);
    }
}
