using System.Threading.Channels;
using Polly;
using Polly.Retry;
using Probe.Runner.Stores;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// Carries results from checks to the store: checks hand them over (<see cref="SubmitAsync"/>, which
/// makes their text storable), one writer appends them to the durable spool in groups (one disk
/// flush per group), and one drainer moves the spool to the store in order, in batches. While the
/// store is down (or not yet reachable at start) the drainer retries with jittered exponential
/// backoff (Polly), so runners of several regions do not all retry at once after an outage. A batch
/// the store refuses for its content is split until the refused results are found; they go to the
/// dead-letter file, the rest to the store. Neither loop ever dies of a fault: each is logged, kept
/// in <see cref="SpoolWritable"/>, <see cref="LastSpoolError"/> and <see cref="LastStoreError"/>, and
/// shown by <c>/readyz</c> and <c>/metrics</c>.
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
    private readonly DeadLetters _deadLetters;
    private readonly TimeProvider _time;
    private readonly SyntheticsLog _log;
    private readonly ResiliencePipeline _storeRetry;
    private readonly Task _writer;
    private readonly Task _drainer;
    private long _storeFailingSince = long.MinValue;
    private long _quarantined;
    private volatile bool _migrated;
    private volatile bool _appendFailing;
    private volatile bool _drainFailing;
    private volatile string? _lastStoreError;
    private volatile string? _lastSpoolError;

    /// <param name="spool">The durable spool.</param>
    /// <param name="store">The store; when <paramref name="migrated"/> is false its schema is made on the first successful contact.</param>
    /// <param name="deadLetters">Where results the store refuses for their content go.</param>
    /// <param name="time">The clock for backoff.</param>
    /// <param name="log">The structured log.</param>
    /// <param name="migrated">Whether the store's schema is known to be in place (it was reachable at start).</param>
    public ResultPipeline(ResultSpool spool, IResultStore store, DeadLetters deadLetters, TimeProvider time, SyntheticsLog log, bool migrated = true)
    {
        _spool = spool;
        _store = store;
        _deadLetters = deadLetters;
        _time = time;
        _log = log;
        _migrated = migrated;
        _storeRetry = StoreRetry(time, e => e is not OperationCanceledException && _store.Classify(e) != StoreFault.Content, StoreFailed);
        _writer = Task.Run(WriteLoopAsync);
        _drainer = Task.Run(() => DrainLoopAsync(_stop.Token));
    }

    /// <summary>
    /// Retries of a store write: exponential from 250 ms up to 5 s, with jitter, so the runners of several
    /// regions that lost the store at the same moment do not all come back at the same moment; for ever,
    /// since the spool holds the results meanwhile.
    /// </summary>
    internal static ResiliencePipeline StoreRetry(TimeProvider time, Func<Exception, bool> retries, Action<Exception> failed) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = int.MaxValue,
                Delay = TimeSpan.FromMilliseconds(250),
                MaxDelay = MaxBackoff,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder().Handle(retries),
                OnRetry = args =>
                {
                    failed(args.Outcome.Exception!);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();

    /// <summary>Raised after a result was refused by the store for its content and put in the dead-letter file.</summary>
    public event Action<SyntheticResult, string>? Quarantined;

    /// <summary>Results the store refused for their content since start (in the dead-letter file).</summary>
    public long QuarantinedCount => Interlocked.Read(ref _quarantined);

    /// <summary>False while results cannot be written to the spool (an unwritable or full --data folder).</summary>
    public bool SpoolWritable => !_appendFailing && !_drainFailing;

    /// <summary>The last spool fault, or null while it works.</summary>
    public string? LastSpoolError => _lastSpoolError;

    /// <summary>Whether the loop that moves the spool to the store is running (it survives every fault; false only after a bug or at shutdown).</summary>
    public bool DrainAlive => !_drainer.IsCompleted;

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
    public ValueTask SubmitAsync(SyntheticResult result, CancellationToken cancellation = default) => _incoming.Writer.WriteAsync(result.Sanitized(), cancellation);

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
                if (_appendFailing)
                {
                    _appendFailing = false;
                    _log.Info("spool_writable", ("spool", _spool.Folder));
                }

                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _appendFailing = true;
                _lastSpoolError = e.Message;
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
            try
            {
                var (batch, end) = _spool.Peek(BatchSize);
                if (batch.Count == 0)
                {
                    await _spooled.WaitAsync(stop).ConfigureAwait(false);
                    continue;
                }

                await StoreAsync(batch, stop).ConfigureAwait(false);
                _spool.Commit(end, batch.Count);
                backoff = TimeSpan.FromMilliseconds(250);
                if (_drainFailing)
                {
                    _drainFailing = false;
                    _log.Info("spool_drains", ("spool", _spool.Folder), ("spool_depth", _spool.Depth));
                }

                Stored?.Invoke(batch.Count);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Reading the spool or saving its drained position failed (a full disk, a folder made
                // unwritable): the batch stays in the spool and is stored again (idempotently) later.
                _drainFailing = true;
                _lastSpoolError = e.Message;
                _log.Error("spool_drain_failed", ("error", $"{e.GetType().Name}: {e.Message}"), ("spool_depth", _spool.Depth), ("retry_in_ms", backoff.TotalMilliseconds));
                await Task.Delay(backoff, _time, stop).ConfigureAwait(false);
                backoff = Min(backoff * 2, MaxBackoff);
            }
        }
    }

    /// <summary>Stores the batch, waiting out outages; results the store refuses for their content are quarantined.</summary>
    private async Task StoreAsync(IReadOnlyList<SyntheticResult> batch, CancellationToken stop)
    {
        try
        {
            await _storeRetry.ExecuteAsync(
                async (self, cancellation) =>
                {
                    if (!self._migrated)
                    {
                        await self._store.MigrateAsync(cancellation).ConfigureAwait(false);
                        self._migrated = true;
                    }

                    await self._store.WriteAsync(batch, cancellation).ConfigureAwait(false);
                },
                this,
                stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && _store.Classify(e) == StoreFault.Content)
        {
            if (batch.Count == 1)
            {
                Quarantine(batch[0], e);
            }
            else
            {
                // Halves until the refused results are alone; each half is stored (or waits out an outage) as a batch.
                int half = batch.Count / 2;
                await StoreAsync(batch.Take(half).ToArray(), stop).ConfigureAwait(false);
                await StoreAsync(batch.Skip(half).ToArray(), stop).ConfigureAwait(false);
            }
        }

        if (Interlocked.Exchange(ref _storeFailingSince, long.MinValue) != long.MinValue)
        {
            _log.Info("store_available", ("store", _store.Description), ("spool_depth", _spool.Depth));
            _lastStoreError = null;
        }
    }

    private void Quarantine(SyntheticResult result, Exception error)
    {
        string why = $"{error.GetType().Name}: {error.Message}";
        _deadLetters.Add(result, why);
        Interlocked.Increment(ref _quarantined);
        _log.Error("result_quarantined", ("id", result.Id), ("scenario", result.Scenario), ("region", result.Region), ("error", why), ("dead_letters", _deadLetters.File));
        Quarantined?.Invoke(result, why);
    }

    /// <summary>Marks the store as unreachable now (it was at start); the drain keeps trying.</summary>
    public void StoreDown(Exception why) => StoreFailed(why);

    private void StoreFailed(Exception e)
    {
        if (Interlocked.CompareExchange(ref _storeFailingSince, _time.GetTimestamp(), long.MinValue) == long.MinValue)
        {
            _log.Warn("store_unavailable", ("store", _store.Description), ("error", e.Message), ("spool_depth", _spool.Depth));
        }

        _lastStoreError = e.Message;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
