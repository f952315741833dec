using Probe.Scenarios.Binding;

namespace Probe.Runner.Sharding;

/// <summary>
/// One shard's part in a sharded <c>probe run</c>: register, pass the start barrier, start at the
/// common instant, and hand the run data over at the end.
/// </summary>
internal sealed class ShardSession : IAsyncDisposable
{
    private static readonly TimeSpan Lead = TimeSpan.FromSeconds(1);
    private readonly ShardCoordinator _coordinator;
    private readonly TimeProvider _time;

    private ShardSession(ShardCoordinator coordinator, ShardIdentity shard, string runId, TimeProvider time)
    {
        _coordinator = coordinator;
        Shard = shard;
        RunId = runId;
        _time = time;
    }

    public ShardIdentity Shard { get; }

    public ShardCoordinator Coordinator => _coordinator;

    public string RunId { get; }

    /// <summary>Connects and registers; throws <see cref="FormatException"/> or <see cref="InvalidOperationException"/> for bad input, Npgsql errors when unreachable.</summary>
    public static async Task<ShardSession> JoinAsync(string coordinator, ShardIdentity shard, string runId, int allowMissing, TimeProvider time, CancellationToken cancellation)
    {
        ShardCoordinator connected = await ShardCoordinator.ConnectAsync(coordinator, cancellation);
        try
        {
            await connected.RegisterAsync(runId, shard.Index, shard.Count, allowMissing, Environment.MachineName, cancellation);
            return new ShardSession(connected, shard, runId, time);
        }
        catch
        {
            await connected.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for every shard, then until the common start; returns when this shard really starts.</summary>
    public async Task<DateTimeOffset> StartTogetherAsync(TimeSpan barrierTimeout, CancellationToken cancellation)
    {
        DateTimeOffset startAt = await _coordinator.WaitForStartAsync(RunId, Shard.Count, barrierTimeout, Lead, _time, cancellation);
        // Sleep to just before the start, then yield-spin to it: timers fire a millisecond or so late.
        TimeSpan until = startAt - _time.GetUtcNow() - TimeSpan.FromMilliseconds(15);
        if (until > TimeSpan.Zero)
        {
            await Task.Delay(until, _time, cancellation);
        }

        while (_time.GetUtcNow() < startAt)
        {
            cancellation.ThrowIfCancellationRequested();
            Thread.Yield();
        }

        DateTimeOffset started = _time.GetUtcNow();
        await _coordinator.MarkStartedAsync(RunId, Shard.Index, started, cancellation);
        return started;
    }

    public Task FinishAsync(int exitCode, byte[] runData, CancellationToken cancellation) =>
        _coordinator.FinishAsync(RunId, Shard.Index, exitCode, runData, cancellation);

    public ValueTask DisposeAsync() => _coordinator.DisposeAsync();
}
