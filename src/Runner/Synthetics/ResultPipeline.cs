using System.Threading.Channels;
using Probe.Runner.Stores;

namespace Probe.Runner.Synthetics;

/// <summary>
/// Carries results from checks to the store: checks hand them over (<see cref="SubmitAsync"/>), one writer
/// appends them to the durable spool in groups (one disk flush per group), and one drainer moves the
/// spool to the store in order, in batches, retrying with backoff while the store is down or slow.
/// </summary>
internal sealed class ResultPipeline : IAsyncDisposable
{
    private const int BatchSize = 5000;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private const int HandOverBound = 10_000;

    // Bounded: when the disk cannot keep up, checks wait to hand over instead of piling results up in memory.
    private readonly Channel<SyntheticResult> _incoming = Channel.CreateBounded<SyntheticResult>(new BoundedChannelOptions(HandOverBound) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _spooled = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ResultSpool _spool;
    private readonly IResultStore _store;
    private readonly TimeProvider _time;
    private readonly SyntheticsLog _log;
    private readonly Task _writer;
    private readonly Task _drainer;
    private long _storeFailingSince = long.MinValue;
    private volatile string? _lastStoreError;

    public ResultPipeline(ResultSpool spool, IResultStore store, TimeProvider time, SyntheticsLog log)
    {
        _spool = spool;
        _store = store;
        _time = time;
        _log = log;
        _writer = Task.Run(WriteLoopAsync);
        _drainer = Task.Run(() => DrainLoopAsync(_stop.Token));
    }

    /// <summary>Raised after each result is safe in the spool.</summary>
    public event Action<SyntheticResult>? Spooled;

    /// <summary>Raised after each batch reaches the store (with its size).</summary>
    public event Action<int>? Stored;

    public long SpoolDepth => _spool.Depth;

    public string? LastStoreError => _lastStoreError;

    /// <summary>How long the store has been failing, or null while it answers.</summary>
    public TimeSpan? StoreFailingFor
    {
        get
        {
            long since = Interlocked.Read(ref _storeFailingSince);
            return since == long.MinValue ? null : _time.GetElapsedTime(since);
        }
    }

    /// <summary>Hands a result over; waits while the spool writer is behind by the hand-over bound.</summary>
    /// <exception cref="ChannelClosedException">The pipeline is flushing for shutdown.</exception>
    public ValueTask SubmitAsync(SyntheticResult result, CancellationToken cancellation = default) => _incoming.Writer.WriteAsync(result, cancellation);

    /// <summary>Stops taking results, spools what was handed over, and drains the spool to the store for at most <paramref name="bound"/>.</summary>
    /// <returns>Results left in the spool (kept for the next start).</returns>
    public async Task<long> FlushAsync(TimeSpan bound)
    {
        _incoming.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        Task drained = WaitDrainedAsync();
        await Task.WhenAny(drained, Task.Delay(bound, _time)).ConfigureAwait(false);
        await _stop.CancelAsync().ConfigureAwait(false);
        _spooled.Release();
        try
        {
            await _drainer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-write: the batch stays in the spool.
        }

        return _spool.Depth;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await FlushAsync(TimeSpan.Zero).ConfigureAwait(false);
        }

        _stop.Dispose();
        _spooled.Dispose();
    }

    private async Task WaitDrainedAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(int _)
        {
            if (_spool.Depth == 0)
            {
                done.TrySetResult();
            }
        }

        Stored += Check;
        try
        {
            Check(0);
            _spooled.Release();
            await done.Task.ConfigureAwait(false);
        }
        finally
        {
            Stored -= Check;
        }
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<SyntheticResult>(256);
        while (await _incoming.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            while (group.Count < BatchSize && _incoming.Reader.TryRead(out SyntheticResult? result))
            {
                group.Add(result);
            }

            await AppendWithRetryAsync(group).ConfigureAwait(false);
            foreach (SyntheticResult result in group)
            {
                Spooled?.Invoke(result);
            }

            _spooled.Release();
        }
    }

    private async Task AppendWithRetryAsync(List<SyntheticResult> group)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            try
            {
                _spool.Append(group);
                return;
            }
            catch (IOException e)
            {
                _log.Error("spool_write_failed", ("error", e.Message), ("results", group.Count), ("retry_in_ms", backoff.TotalMilliseconds));
                await Task.Delay(backoff, _time).ConfigureAwait(false);
                backoff = Min(backoff * 2, MaxBackoff);
            }
        }
    }

    private async Task DrainLoopAsync(CancellationToken stop)
    {
        TimeSpan backoff = TimeSpan.FromMilliseconds(250);
        while (!stop.IsCancellationRequested)
        {
            var (batch, end) = _spool.Peek(BatchSize);
            if (batch.Count == 0)
            {
                await _spooled.WaitAsync(stop).ConfigureAwait(false);
                continue;
            }

            try
            {
                await _store.WriteAsync(batch, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                if (Interlocked.CompareExchange(ref _storeFailingSince, _time.GetTimestamp(), long.MinValue) == long.MinValue)
                {
                    _log.Warn("store_unavailable", ("store", _store.Description), ("error", e.Message), ("spool_depth", _spool.Depth));
                }

                _lastStoreError = e.Message;
                await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                backoff = Min(backoff * 2, MaxBackoff);
                continue;
            }

            _spool.Commit(end, batch.Count);
            backoff = TimeSpan.FromMilliseconds(250);
            if (Interlocked.Exchange(ref _storeFailingSince, long.MinValue) != long.MinValue)
            {
                _log.Info("store_available", ("store", _store.Description), ("spool_depth", _spool.Depth));
                _lastStoreError = null;
            }

            Stored?.Invoke(batch.Count);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
