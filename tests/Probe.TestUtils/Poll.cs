namespace Probe.TestUtils;

/// <summary>
/// Waits on something that gives no signal a test can await — another process's HTTP endpoint, a
/// table another process writes, a Prometheus query — by reading it again every so often until it
/// says what the test waits for, within a bound.
/// </summary>
public static class Poll
{
    /// <exception cref="TimeoutException">Not within <paramref name="limit"/>; the message shows the last reading.</exception>
    public static async Task<T> UntilAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> done, TimeSpan limit, TimeSpan? every = null)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            T last = await read(timeout.Token);
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(every ?? TimeSpan.FromMilliseconds(200), timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"still not there after {limit.TotalSeconds:0} s; the last reading was {last}");
            }
        }
    }
}
