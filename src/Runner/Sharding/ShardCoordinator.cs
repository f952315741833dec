using Npgsql;
using Probe.Runner.Stores;

namespace Probe.Runner.Sharding;

/// <summary>
/// Coordinates a test run as N shards through PostgreSQL — no cluster protocol of our own. Each shard
/// registers under the run id; once all N have, the first to notice sets a common start time on the
/// database's clock (one second ahead) and every shard starts then. At the end each shard stores its
/// lossless run data (<c>run.json</c>), which <c>probe report --run-id</c> merges.
/// </summary>
internal sealed class ShardCoordinator : IAsyncDisposable
{
    private const long MigrationLock = 0x70726F6273; // "probs": not the result store's keys, which may share the database
    private readonly NpgsqlDataSource _source;

    private ShardCoordinator(NpgsqlDataSource source, string description)
    {
        _source = source;
        Description = description;
    }

    public string Description { get; }

    /// <summary>Connects and makes the tables; <paramref name="address"/> as for <c>--store</c> (postgres:// or postgres:).</summary>
    /// <exception cref="FormatException">Not a PostgreSQL address.</exception>
    public static async Task<ShardCoordinator> ConnectAsync(string address, CancellationToken cancellation)
    {
        string connection = address.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || address.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? StoreAddress.FromUrl(address)
            : address.StartsWith("postgres:", StringComparison.OrdinalIgnoreCase) ? address["postgres:".Length..]
            : throw new FormatException($"--coordinator takes a PostgreSQL address such as postgres://user:password@host:5432/db; found '{StoreAddress.Redact(address)}'");
        var builder = new NpgsqlConnectionStringBuilder(connection) { Timeout = 5 };
        var coordinator = new ShardCoordinator(NpgsqlDataSource.Create(builder.ConnectionString), $"postgres://{builder.Host}:{builder.Port}/{builder.Database}");
        // One batch is one implicit transaction. The lock is the transaction's, so it is let go at commit: a
        // session lock let go by the batch's last statement would free the next shard before the tables are
        // visible, and its CREATE TABLE IF NOT EXISTS would then collide with them (23505 on pg_type).
        await coordinator.ExecuteAsync($"""
            SELECT pg_advisory_xact_lock({MigrationLock});
            CREATE TABLE IF NOT EXISTS probe_runs (run_id text PRIMARY KEY, shards integer NOT NULL, start_at timestamptz, created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS probe_shards (
                run_id text NOT NULL REFERENCES probe_runs (run_id), shard integer NOT NULL, host text NOT NULL,
                registered_at timestamptz NOT NULL DEFAULT clock_timestamp(), started_at timestamptz, finished_at timestamptz,
                exit_code integer, run_data bytea, PRIMARY KEY (run_id, shard));
            ALTER TABLE probe_runs ADD COLUMN IF NOT EXISTS abort_reason text;
            ALTER TABLE probe_runs ADD COLUMN IF NOT EXISTS allow_missing integer NOT NULL DEFAULT 0;
            CREATE TABLE IF NOT EXISTS probe_shard_seconds (
                run_id text NOT NULL, shard integer NOT NULL, scenario text NOT NULL, step text NOT NULL, second integer NOT NULL,
                duration_ms double precision NOT NULL, ok bigint NOT NULL, fail bigint NOT NULL, bytes bigint NOT NULL, latency bytea NOT NULL,
                PRIMARY KEY (run_id, shard, scenario, step, second));
            """, cancellation);
        return coordinator;
    }

    /// <summary>
    /// Registers shard <paramref name="shard"/> of <paramref name="count"/>; a shard run again replaces its
    /// earlier registration. <paramref name="allowMissing"/>: how many shards may be missing with the
    /// verdict still standing (the suite's <c>sharding.allow_missing_shards</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The run id exists with another shard count.</exception>
    public async Task RegisterAsync(string runId, int shard, int count, int allowMissing, string host, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using (var run = new NpgsqlCommand("INSERT INTO probe_runs (run_id, shards, allow_missing) VALUES (@run, @count, @allow) ON CONFLICT (run_id) DO NOTHING; SELECT shards FROM probe_runs WHERE run_id = @run", connection))
        {
            run.Parameters.AddWithValue("run", runId);
            run.Parameters.AddWithValue("count", count);
            run.Parameters.AddWithValue("allow", allowMissing);
            int existing = (int)(await run.ExecuteScalarAsync(cancellation))!;
            if (existing != count)
            {
                throw new InvalidOperationException($"run '{runId}' was registered with {existing} shards, this shard says {count}; use a new --run-id or the same N everywhere");
            }
        }

        await using var register = new NpgsqlCommand("""
            INSERT INTO probe_shards (run_id, shard, host) VALUES (@run, @shard, @host)
            ON CONFLICT (run_id, shard) DO UPDATE SET host = excluded.host, registered_at = clock_timestamp(), started_at = NULL, finished_at = NULL, exit_code = NULL, run_data = NULL
            """, connection);
        register.Parameters.AddWithValue("run", runId);
        register.Parameters.AddWithValue("shard", shard);
        register.Parameters.AddWithValue("host", host);
        await register.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>
    /// The start barrier: waits until all shards have registered, then returns the common start time
    /// (set once, on the database's clock, <paramref name="lead"/> ahead).
    /// </summary>
    /// <exception cref="TimeoutException">Not every shard registered in time; the message names the missing ones.</exception>
    public async Task<DateTimeOffset> WaitForStartAsync(string runId, int count, TimeSpan timeout, TimeSpan lead, TimeProvider time, CancellationToken cancellation)
    {
        long began = time.GetTimestamp();
        while (true)
        {
            await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
            await using var check = new NpgsqlCommand("""
                UPDATE probe_runs SET start_at = clock_timestamp() + @lead
                WHERE run_id = @run AND start_at IS NULL AND (SELECT count(*) FROM probe_shards WHERE run_id = @run) = shards;
                SELECT start_at FROM probe_runs WHERE run_id = @run;
                """, connection);
            check.Parameters.AddWithValue("run", runId);
            check.Parameters.AddWithValue("lead", lead);
            if (await check.ExecuteScalarAsync(cancellation) is DateTime start)
            {
                return new DateTimeOffset(DateTime.SpecifyKind(start, DateTimeKind.Utc));
            }

            if (time.GetElapsedTime(began) > timeout)
            {
                int[] present = (await ShardsAsync(runId, cancellation)).Select(s => s.Shard).ToArray();
                int[] missing = Enumerable.Range(0, count).Except(present).ToArray();
                throw new TimeoutException($"the start barrier of run '{runId}' timed out after {timeout.TotalSeconds:0} s: shard(s) {string.Join(", ", missing)} of {count} never registered (present: {(present.Length == 0 ? "none" : string.Join(", ", present))})");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), time, cancellation);
        }
    }

    public Task MarkStartedAsync(string runId, int shard, DateTimeOffset startedAt, CancellationToken cancellation) =>
        ExecuteAsync("UPDATE probe_shards SET started_at = @at WHERE run_id = @run AND shard = @shard", cancellation, ("run", runId), ("shard", shard), ("at", startedAt.UtcDateTime));

    /// <summary>Stores the shard's lossless run data and its exit code.</summary>
    public Task FinishAsync(string runId, int shard, int exitCode, byte[] runData, CancellationToken cancellation) =>
        ExecuteAsync("UPDATE probe_shards SET finished_at = clock_timestamp(), exit_code = @code, run_data = @data WHERE run_id = @run AND shard = @shard", cancellation,
            ("run", runId), ("shard", shard), ("code", exitCode), ("data", runData));

    /// <summary>Stores a shard's new per-second samples (a sample already stored is kept as it was).</summary>
    public async Task UploadSecondsAsync(string runId, int shard, IReadOnlyList<ShardSecond> seconds, CancellationToken cancellation)
    {
        if (seconds.Count == 0)
        {
            return;
        }

        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using NpgsqlBatch batch = new(connection);
        foreach (ShardSecond s in seconds)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO probe_shard_seconds (run_id, shard, scenario, step, second, duration_ms, ok, fail, bytes, latency)
                VALUES (@run, @shard, @scenario, @step, @second, @ms, @ok, @fail, @bytes, @latency) ON CONFLICT DO NOTHING
                """);
            command.Parameters.AddWithValue("run", runId);
            command.Parameters.AddWithValue("shard", shard);
            command.Parameters.AddWithValue("scenario", s.Scenario);
            command.Parameters.AddWithValue("step", s.Step ?? string.Empty);
            command.Parameters.AddWithValue("second", s.Second);
            command.Parameters.AddWithValue("ms", s.Duration.TotalMilliseconds);
            command.Parameters.AddWithValue("ok", s.Ok);
            command.Parameters.AddWithValue("fail", s.Fail);
            command.Parameters.AddWithValue("bytes", s.Bytes);
            command.Parameters.AddWithValue("latency", s.Latency);
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellation);
    }

    /// <summary>Every shard's per-second samples of the run so far (a shard that died keeps what it sent).</summary>
    public async Task<IReadOnlyList<(int Shard, ShardSecond Second)>> SecondsAsync(string runId, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var query = new NpgsqlCommand("SELECT shard, scenario, step, second, duration_ms, ok, fail, bytes, latency FROM probe_shard_seconds WHERE run_id = @run", connection);
        query.Parameters.AddWithValue("run", runId);
        var list = new List<(int, ShardSecond)>();
        await using NpgsqlDataReader r = await query.ExecuteReaderAsync(cancellation);
        while (await r.ReadAsync(cancellation))
        {
            list.Add((r.GetInt32(0), new ShardSecond(r.GetString(1), r.GetString(2) is { Length: > 0 } step ? step : null, r.GetInt32(3), TimeSpan.FromMilliseconds(r.GetDouble(4)), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), (byte[])r.GetValue(8))));
        }

        return list;
    }

    /// <summary>Records why the whole run aborts (the first reason wins) and returns the reason in force, if any.</summary>
    public async Task<string?> AbortAsync(string runId, string? reason, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand("""
            UPDATE probe_runs SET abort_reason = @reason WHERE run_id = @run AND abort_reason IS NULL AND @reason IS NOT NULL;
            SELECT abort_reason FROM probe_runs WHERE run_id = @run;
            """, connection);
        command.Parameters.AddWithValue("run", runId);
        command.Parameters.Add(new NpgsqlParameter("reason", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)reason ?? DBNull.Value });
        return await command.ExecuteScalarAsync(cancellation) as string;
    }

    /// <summary>The run's shard count and how many may be missing, or null when no such run was registered.</summary>
    public async Task<(int Shards, int AllowMissing)?> RunAsync(string runId, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var query = new NpgsqlCommand("SELECT shards, allow_missing FROM probe_runs WHERE run_id = @run", connection);
        query.Parameters.AddWithValue("run", runId);
        await using NpgsqlDataReader r = await query.ExecuteReaderAsync(cancellation);
        return await r.ReadAsync(cancellation) ? (r.GetInt32(0), r.GetInt32(1)) : null;
    }

    /// <summary>Every registered shard of the run, with its data when it finished.</summary>
    public async Task<IReadOnlyList<ShardRecord>> ShardsAsync(string runId, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var query = new NpgsqlCommand("SELECT shard, host, registered_at, started_at, finished_at, exit_code, run_data FROM probe_shards WHERE run_id = @run ORDER BY shard", connection);
        query.Parameters.AddWithValue("run", runId);
        var list = new List<ShardRecord>();
        await using NpgsqlDataReader r = await query.ExecuteReaderAsync(cancellation);
        while (await r.ReadAsync(cancellation))
        {
            list.Add(new ShardRecord(
                r.GetInt32(0),
                r.GetString(1),
                Utc(r.GetDateTime(2)),
                r.IsDBNull(3) ? null : Utc(r.GetDateTime(3)),
                r.IsDBNull(4) ? null : Utc(r.GetDateTime(4)),
                r.IsDBNull(5) ? null : r.GetInt32(5),
                r.IsDBNull(6) ? null : (byte[])r.GetValue(6)));
        }

        return list;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));

    private async Task ExecuteAsync(string sql, CancellationToken cancellation, params (string Name, object Value)[] parameters)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var command = new NpgsqlCommand(sql, connection);
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellation);
    }
}

/// <summary>One shard's figures of one second of a scenario's iterations (step null) or of one step; <c>Latency</c> is the serialized histogram.</summary>
internal sealed record ShardSecond(string Scenario, string? Step, int Second, TimeSpan Duration, long Ok, long Fail, long Bytes, byte[] Latency);

/// <summary>One shard as the coordinator knows it; <c>RunData</c> is its run.json once it finished.</summary>
internal sealed record ShardRecord(int Shard, string Host, DateTimeOffset RegisteredAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, int? ExitCode, byte[]? RunData);
