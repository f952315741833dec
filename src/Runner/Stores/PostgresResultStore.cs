using Npgsql;
using NpgsqlTypes;
using Probe.Exporter.Slo;
using Probe.Runner.Results;

namespace Probe.Runner.Stores;

/// <summary>
/// The shared store: PostgreSQL through Npgsql. A batch goes in by binary COPY into a per-session
/// staging table, then one <c>INSERT … ON CONFLICT (id) DO NOTHING</c> moves it into
/// <c>probe_results</c>, so replays after an outage or a crash never double a result. Migrations run
/// under an advisory lock, so runners of several regions may start together.
/// </summary>
internal sealed class PostgresResultStore : IResultStore
{
    private const long MigrationLock = 0x70726F6265; // "probe"

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE probe_results (
            id uuid PRIMARY KEY,
            started_at timestamptz NOT NULL,
            suite text NOT NULL,
            scenario text NOT NULL,
            region text NOT NULL,
            target text NOT NULL,
            ok boolean NOT NULL,
            duration_ms double precision NOT NULL,
            reason text,
            message text,
            status integer NOT NULL,
            recheck boolean NOT NULL,
            steps jsonb NOT NULL
        );
        CREATE INDEX probe_results_started ON probe_results (started_at);
        CREATE INDEX probe_results_scenario ON probe_results (scenario, region, started_at);
        """,
        """
        ALTER TABLE probe_results
            ADD COLUMN llm_ok boolean,
            ADD COLUMN llm_ttft_ms double precision,
            ADD COLUMN llm_tpot_ms double precision,
            ADD COLUMN llm_e2e_ms double precision,
            ADD COLUMN llm_tps double precision
        """,
        """
        CREATE TABLE probe_minutes (
            sli text NOT NULL,
            scenario text NOT NULL,
            region text NOT NULL,
            minute bigint NOT NULL,
            runs bigint NOT NULL,
            ok bigint NOT NULL,
            good bigint NOT NULL,
            PRIMARY KEY (sli, minute, scenario, region)
        );
        CREATE INDEX probe_minutes_scenario ON probe_minutes (sli, scenario, minute, region, runs, ok, good);
        CREATE TABLE probe_minutes_cover (sli text PRIMARY KEY, until_minute bigint NOT NULL)
        """,
        """
        CREATE TABLE probe_hours (
            sli text NOT NULL,
            scenario text NOT NULL,
            region text NOT NULL,
            hour bigint NOT NULL,
            runs bigint NOT NULL,
            ok bigint NOT NULL,
            good bigint NOT NULL,
            PRIMARY KEY (sli, hour, scenario, region)
        );
        CREATE INDEX probe_hours_scenario ON probe_hours (sli, scenario, hour, region, runs, ok, good);
        ALTER TABLE probe_minutes_cover ADD COLUMN until_hour bigint;
        CREATE TABLE probe_slices (key text NOT NULL, hour bigint NOT NULL, slices bigint NOT NULL, good bigint NOT NULL, PRIMARY KEY (key, hour));
        CREATE INDEX probe_slices_hour ON probe_slices (hour)
        """,
        "ALTER TABLE probe_results ADD COLUMN maintenance text",
        // Failures are few: the status page's last failures are a seek here, not a walk back over every result of the day.
        "CREATE INDEX probe_results_failures ON probe_results (started_at) WHERE NOT ok",
    ];

    /// <summary>Serialises rolling up with writes of results for minutes already rolled up (<see cref="MinuteRollups"/>).</summary>
    private const long RollupLock = 0x70726F6266; // "probf"

    /// <summary>A result's minute since the epoch.</summary>
    private const string MinuteOf = "floor(extract(epoch FROM started_at) / 60)::bigint";

    private const string Columns = "id, started_at, suite, scenario, region, target, ok, duration_ms, reason, message, status, recheck, steps, llm_ok, llm_ttft_ms, llm_tpot_ms, llm_e2e_ms, llm_tps, maintenance";

    private readonly NpgsqlDataSource _source;

    public PostgresResultStore(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        Description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        builder.Timeout = Math.Min(builder.Timeout, 5);
        _source = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public string Description { get; }

    /// <summary>
    /// SQLSTATE classes: 22 (data exception, such as a NUL in text), 23 (integrity) and 54 (a limit) are
    /// the data; 28 (authentication), 3D (no such database) and 42501 (privilege) the configuration;
    /// anything else, and every error without a server's answer, an outage.
    /// </summary>
    public StoreFault Classify(Exception error) => error switch
    {
        PostgresException { SqlState: ['2', '2', ..] or ['2', '3', ..] or ['5', '4', ..] } => StoreFault.Content,
        PostgresException { SqlState: ['2', '8', ..] or ['3', 'D', ..] or "42501" } => StoreFault.Configuration,
        _ => StoreFault.Outage,
    };

    public async Task MigrateAsync(CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellation);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock}); CREATE TABLE IF NOT EXISTS probe_schema (version integer NOT NULL);", cancellation);
        await using var read = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM probe_schema", connection);
        int version = (int)(await read.ExecuteScalarAsync(cancellation))!;
        for (int v = version; v < Migrations.Length; v++)
        {
            await ExecuteAsync(connection, Migrations[v] + $"; INSERT INTO probe_schema (version) VALUES ({v + 1});", cancellation);
        }

        await transaction.CommitAsync(cancellation);
    }

    public async Task WriteAsync(IReadOnlyList<SyntheticResult> batch, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellation);
        await ExecuteAsync(connection, "CREATE TEMP TABLE IF NOT EXISTS probe_results_incoming (LIKE probe_results) ON COMMIT DELETE ROWS", cancellation);
        await using (NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync($"COPY probe_results_incoming ({Columns}) FROM STDIN (FORMAT BINARY)", cancellation))
        {
            foreach (SyntheticResult r in batch)
            {
                await copy.StartRowAsync(cancellation);
                await copy.WriteAsync(r.Id, NpgsqlDbType.Uuid, cancellation);
                await copy.WriteAsync(r.StartedAt.UtcDateTime, NpgsqlDbType.TimestampTz, cancellation);
                await copy.WriteAsync(r.Suite, NpgsqlDbType.Text, cancellation);
                await copy.WriteAsync(r.Scenario, NpgsqlDbType.Text, cancellation);
                await copy.WriteAsync(r.Region, NpgsqlDbType.Text, cancellation);
                await copy.WriteAsync(r.Target, NpgsqlDbType.Text, cancellation);
                await copy.WriteAsync(r.Ok, NpgsqlDbType.Boolean, cancellation);
                await copy.WriteAsync(r.Duration.TotalMilliseconds, NpgsqlDbType.Double, cancellation);
                await WriteNullableAsync(copy, r.Reason, cancellation);
                await WriteNullableAsync(copy, r.Message, cancellation);
                await copy.WriteAsync(r.Status, NpgsqlDbType.Integer, cancellation);
                await copy.WriteAsync(r.Recheck, NpgsqlDbType.Boolean, cancellation);
                await copy.WriteAsync(SyntheticResultJson.StepsText(r.Steps), NpgsqlDbType.Jsonb, cancellation);
                await WriteNullableAsync(copy, r.Llm?.Ok, NpgsqlDbType.Boolean, cancellation);
                await WriteNullableAsync(copy, r.Llm?.TtftMs, NpgsqlDbType.Double, cancellation);
                await WriteNullableAsync(copy, r.Llm?.TpotMs, NpgsqlDbType.Double, cancellation);
                await WriteNullableAsync(copy, r.Llm?.E2eMs, NpgsqlDbType.Double, cancellation);
                await WriteNullableAsync(copy, r.Llm?.OutputTps, NpgsqlDbType.Double, cancellation);
                await WriteNullableAsync(copy, r.Maintenance, cancellation);
            }

            await copy.CompleteAsync(cancellation);
        }

        await ExecuteAsync(connection, $"INSERT INTO probe_results ({Columns}) SELECT {Columns} FROM probe_results_incoming ON CONFLICT (id) DO NOTHING", cancellation);

        // Minutes already rolled up that this batch adds to are rolled up again, in the same transaction;
        // the lock keeps a refresh from rolling up a minute while results for it are being committed.
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({RollupLock})", cancellation);
        foreach ((string sli, long until, long? hours) in await CoverAsync(connection, cancellation))
        {
            var late = MinuteRollups.Keys(batch).Where(k => k.Minute < until).ToArray();
            foreach ((string scenario, string region, long minute) in late)
            {
                await RollUpAsync(connection, sli, minute, minute + 1, (scenario, region), cancellation);
            }

            foreach ((string scenario, string region, long hour) in MinuteRollups.Hours(late, hours))
            {
                await RollUpHoursAsync(connection, sli, hour, hour + 1, (scenario, region), cancellation);
            }
        }

        // Timeslices of the hours this batch adds to are computed again when next asked for.
        await using var slices = new NpgsqlCommand("DELETE FROM probe_slices WHERE hour = ANY(@hours)", connection);
        slices.Parameters.AddWithValue("hours", MinuteRollups.Keys(batch).Select(k => k.Minute / 60).Distinct().ToArray());
        await slices.ExecuteNonQueryAsync(cancellation);

        await transaction.CommitAsync(cancellation);
    }

    public async Task<IReadOnlyList<ScenarioMinute>> MinutesAsync(DateTimeOffset since, DateTimeOffset now, SliCondition good, IReadOnlyCollection<string>? scenarios, CancellationToken cancellation, IReadOnlyCollection<long>? edges = null)
    {
        string sli = good.ToString();
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        Cover covered = await MinuteRollups.CoverAsync(MinuteRollups.SettledEnd(now), end => CoverUpToAsync(connection, sli, end, cancellation));
        long from = MinuteRollups.Minute(since);
        Spans spans = MinuteRollups.Split(from, covered.Minutes, covered.Hours, edges);
        string only = scenarios is null ? string.Empty : "AND scenario = ANY(@scenarios)";
        await using var query = new NpgsqlCommand(string.Empty, connection);
        IEnumerable<string> parts = spans.Hours.Select((span, i) => $"""
            SELECT scenario, region, hour * 60, runs, ok, good, true FROM probe_hours
            WHERE sli = @sli AND hour >= {Parameter(query, $"h{i}", span.From)} AND hour < {Parameter(query, $"he{i}", span.To)} {only}
            """).Concat(spans.Minutes.Select((span, i) => $"""
            SELECT scenario, region, minute, runs, ok, good, false FROM probe_minutes
            WHERE sli = @sli AND minute >= {Parameter(query, $"m{i}", span.From)} AND minute < {Parameter(query, $"me{i}", span.To)} {only}
            """)).Append($"""
            SELECT scenario, region, {MinuteOf} AS minute, count(*), count(*) FILTER (WHERE ok), count(*) FILTER (WHERE {sli}), false
            FROM probe_results WHERE started_at >= @raw AND NOT recheck AND maintenance IS NULL {only}
            GROUP BY scenario, region, minute
            """);
        query.CommandText = string.Join("\nUNION ALL\n", parts);
        query.Parameters.AddWithValue("sli", sli);
        query.Parameters.AddWithValue("raw", DateTimeOffset.UnixEpoch.AddMinutes(Math.Max(from, covered.Minutes)).UtcDateTime);
        if (scenarios is not null)
        {
            query.Parameters.AddWithValue("scenarios", scenarios.ToArray());
        }

        var list = new List<ScenarioMinute>();
        await using NpgsqlDataReader reader = await query.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            list.Add(new ScenarioMinute(reader.GetString(0), new MinuteTally(reader.GetInt64(2), reader.GetString(1), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)), reader.GetBoolean(6)));
        }

        return list;
    }

    public async Task<IReadOnlyCollection<CheckDay>> DayAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        string sli = SliCondition.None.ToString();
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        Cover covered = await MinuteRollups.CoverAsync(MinuteRollups.SettledEnd(now), end => CoverUpToAsync(connection, sli, end, cancellation));
        // As SQLite's: settled hours as kept, later minutes per hour, the last 60 minutes once, unsettled results per hour for both.
        await using var query = new NpgsqlCommand($"""
            SELECT scenario, region, hour, runs, ok, {(int)DayPart.Strip} FROM probe_hours
            WHERE sli = @sli AND hour >= @first AND hour < @hours
            UNION ALL
            SELECT scenario, region, minute / 60, sum(runs)::bigint, sum(ok)::bigint, {(int)DayPart.Strip} FROM probe_minutes
            WHERE sli = @sli AND minute >= greatest(@hours, @first) * 60 AND minute < @covered
            GROUP BY scenario, region, minute / 60
            UNION ALL
            SELECT scenario, region, 0, sum(runs)::bigint, sum(ok)::bigint, {(int)DayPart.LastHour} FROM probe_minutes
            WHERE sli = @sli AND minute >= @edge AND minute < @covered
            GROUP BY scenario, region
            UNION ALL
            SELECT scenario, region, {MinuteOf} / 60 AS hour, count(*), count(*) FILTER (WHERE ok), {(int)DayPart.Both}
            FROM probe_results WHERE started_at >= @raw AND started_at < @end AND NOT recheck AND maintenance IS NULL
            GROUP BY scenario, region, hour
            """, connection);
        query.Parameters.AddWithValue("sli", sli);
        query.Parameters.AddWithValue("first", CheckDay.FirstHour(now));
        query.Parameters.AddWithValue("hours", covered.Hours);
        query.Parameters.AddWithValue("covered", covered.Minutes);
        query.Parameters.AddWithValue("edge", CheckDay.LastHourFrom(now));
        query.Parameters.AddWithValue("raw", DateTimeOffset.UnixEpoch.AddMinutes(covered.Minutes).UtcDateTime);
        query.Parameters.AddWithValue("end", DateTimeOffset.UnixEpoch.AddMinutes(MinuteRollups.Minute(now) + 1).UtcDateTime);
        var days = new CheckDays(now);
        await using NpgsqlDataReader reader = await query.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            days.Add(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), (DayPart)reader.GetInt32(5), reader.GetInt64(3), reader.GetInt64(4));
        }

        return days.All;
    }

    public async Task<IReadOnlyDictionary<long, Sli>> SlicesAsync(IReadOnlyCollection<string> scenarios, int quorum, IReadOnlyCollection<long> hours, CancellationToken cancellation)
    {
        var slices = new Dictionary<long, Sli>();
        if (hours.Count == 0)
        {
            return slices;
        }

        var wanted = new HashSet<long>(hours);

        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellation);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({RollupLock})", cancellation);
        string key = MinuteRollups.SliceKey(scenarios, quorum);
        await using var read = new NpgsqlCommand("SELECT hour, slices, good FROM probe_slices WHERE key = @key AND hour >= @from AND hour <= @to", connection);
        read.Parameters.AddWithValue("key", key);
        read.Parameters.AddWithValue("from", hours.Min());
        read.Parameters.AddWithValue("to", hours.Max());
        await ReadSlicesAsync(read, wanted, slices, cancellation);

        (long From, long To)[] missing = MinuteRollups.Runs(hours.Where(h => !slices.ContainsKey(h))).ToArray();
        if (missing.Length > 0)
        {
            await using var compute = new NpgsqlCommand(string.Empty, connection);
            string spans = string.Join(" OR ", missing.Select((span, i) => $"(minute >= {Parameter(compute, $"m{i}", span.From * 60)} AND minute < {Parameter(compute, $"me{i}", span.To * 60)})"));
            compute.CommandText = $"""
                INSERT INTO probe_slices (key, hour, slices, good)
                SELECT @key, minute / 60, count(*), count(*) FILTER (WHERE good_regions >= least(@quorum, regions)) FROM (
                    SELECT minute, count(*) AS regions, count(*) FILTER (WHERE runs = ok) AS good_regions FROM (
                        SELECT minute, region, sum(runs) AS runs, sum(ok) AS ok FROM probe_minutes
                        WHERE sli = @sli AND scenario = ANY(@scenarios) AND ({spans})
                        GROUP BY minute, region) AS regions
                    GROUP BY minute) AS minutes
                GROUP BY minute / 60
                ON CONFLICT (key, hour) DO UPDATE SET slices = excluded.slices, good = excluded.good
                RETURNING hour, slices, good
                """;
            compute.Parameters.AddWithValue("key", key);
            compute.Parameters.AddWithValue("sli", SliCondition.None.ToString());
            compute.Parameters.AddWithValue("quorum", (long)quorum);
            compute.Parameters.AddWithValue("scenarios", scenarios.ToArray());
            await ReadSlicesAsync(compute, wanted, slices, cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return slices;
    }

    /// <summary>Reads (hour, slices, good) rows into <paramref name="into"/>, the hours asked for only (a range read finds others kept earlier).</summary>
    private static async Task ReadSlicesAsync(NpgsqlCommand command, HashSet<long> wanted, Dictionary<long, Sli> into, CancellationToken cancellation)
    {
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            if (wanted.Contains(reader.GetInt64(0)))
            {
                into[reader.GetInt64(0)] = new Sli(reader.GetInt64(2), reader.GetInt64(1));
            }
        }
    }

    private static string Parameter(NpgsqlCommand command, string name, long value)
    {
        command.Parameters.AddWithValue(name, value);
        return "@" + name;
    }

    /// <summary>
    /// Rolls up <paramref name="sli"/>'s minutes from where its rollups end, up to <paramref name="settledEnd"/> but
    /// at most <see cref="MinuteRollups.Chunk"/> of them (from the first result for a new condition), then the
    /// whole hours they complete (<see cref="MinuteRollups.NextHours"/>), under the rollup lock; returns where
    /// both end now.
    /// </summary>
    private static async Task<Cover> CoverUpToAsync(NpgsqlConnection connection, string sli, long settledEnd, CancellationToken cancellation)
    {
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellation);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({RollupLock})", cancellation);
        await using var read = new NpgsqlCommand($"""
            SELECT coalesce((SELECT until_minute FROM probe_minutes_cover WHERE sli = @sli), (SELECT min({MinuteOf}) FROM probe_results), @end),
                   (SELECT until_hour FROM probe_minutes_cover WHERE sli = @sli), (SELECT min(minute) FROM probe_minutes WHERE sli = @sli)
            """, connection);
        read.Parameters.AddWithValue("sli", sli);
        read.Parameters.AddWithValue("end", settledEnd);
        long until;
        long? hoursUntil, firstMinute;
        await using (NpgsqlDataReader row = await read.ExecuteReaderAsync(cancellation))
        {
            await row.ReadAsync(cancellation);
            (until, hoursUntil, firstMinute) = (row.GetInt64(0), row.IsDBNull(1) ? null : row.GetInt64(1), row.IsDBNull(2) ? null : row.GetInt64(2));
        }

        long first = firstMinute ?? until; // where the minute rollups start (for a new condition, where they are about to)
        if (until < settledEnd)
        {
            long end = Math.Min(settledEnd, until + MinuteRollups.Chunk);
            await RollUpAsync(connection, sli, until, end, null, cancellation);
            until = end;
        }

        (long hoursFrom, long hoursTo) = MinuteRollups.NextHours(hoursUntil, first, until);
        if (hoursTo > hoursFrom)
        {
            await RollUpHoursAsync(connection, sli, hoursFrom, hoursTo, null, cancellation);
        }

        await using var cover = new NpgsqlCommand("""
            INSERT INTO probe_minutes_cover (sli, until_minute, until_hour) VALUES (@sli, @until, @hours)
            ON CONFLICT (sli) DO UPDATE SET until_minute = greatest(probe_minutes_cover.until_minute, excluded.until_minute),
                                            until_hour = greatest(probe_minutes_cover.until_hour, excluded.until_hour)
            """, connection);
        cover.Parameters.AddWithValue("sli", sli);
        cover.Parameters.AddWithValue("until", until);
        cover.Parameters.AddWithValue("hours", hoursTo);
        await cover.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
        return new Cover(until, hoursTo);
    }

    /// <summary>Recomputes <paramref name="sli"/>'s tallies of the minutes [from, to) from the results (of one scenario and region when given).</summary>
    private static async Task RollUpAsync(NpgsqlConnection connection, string sli, long from, long to, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        await using var rollup = new NpgsqlCommand($"""
            INSERT INTO probe_minutes (sli, scenario, region, minute, runs, ok, good)
            SELECT @sli, scenario, region, {MinuteOf} AS minute, count(*), count(*) FILTER (WHERE ok), count(*) FILTER (WHERE {sli})
            FROM probe_results
            WHERE started_at >= @from AND started_at < @to AND NOT recheck AND maintenance IS NULL {(only is null ? string.Empty : "AND scenario = @scenario AND region = @region")}
            GROUP BY scenario, region, minute
            ON CONFLICT (sli, minute, scenario, region) DO UPDATE SET runs = excluded.runs, ok = excluded.ok, good = excluded.good
            """, connection);
        rollup.Parameters.AddWithValue("from", DateTimeOffset.UnixEpoch.AddMinutes(from).UtcDateTime);
        rollup.Parameters.AddWithValue("to", DateTimeOffset.UnixEpoch.AddMinutes(to).UtcDateTime);
        await ExecuteRollUpAsync(rollup, sli, only, cancellation);
    }

    /// <summary>Recomputes <paramref name="sli"/>'s tallies of the hours [from, to) from its minute rollups (of one scenario and region when given).</summary>
    private static async Task RollUpHoursAsync(NpgsqlConnection connection, string sli, long from, long to, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        await using var rollup = new NpgsqlCommand($"""
            INSERT INTO probe_hours (sli, scenario, region, hour, runs, ok, good)
            SELECT @sli, scenario, region, minute / 60 AS hour, sum(runs), sum(ok), sum(good)
            FROM probe_minutes
            WHERE sli = @sli AND minute >= @from AND minute < @to {(only is null ? string.Empty : "AND scenario = @scenario AND region = @region")}
            GROUP BY scenario, region, hour
            ON CONFLICT (sli, hour, scenario, region) DO UPDATE SET runs = excluded.runs, ok = excluded.ok, good = excluded.good
            """, connection);
        rollup.Parameters.AddWithValue("from", from * 60);
        rollup.Parameters.AddWithValue("to", to * 60);
        await ExecuteRollUpAsync(rollup, sli, only, cancellation);
    }

    private static async Task ExecuteRollUpAsync(NpgsqlCommand rollup, string sli, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        rollup.Parameters.AddWithValue("sli", sli);
        if (only is { } key)
        {
            rollup.Parameters.AddWithValue("scenario", key.Scenario);
            rollup.Parameters.AddWithValue("region", key.Region);
        }

        await rollup.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<List<(string Sli, long Until, long? Hours)>> CoverAsync(NpgsqlConnection connection, CancellationToken cancellation)
    {
        await using var read = new NpgsqlCommand("SELECT sli, until_minute, until_hour FROM probe_minutes_cover", connection);
        var cover = new List<(string, long, long?)>();
        await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            cover.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        return cover;
    }

    public async Task<IReadOnlyList<SyntheticResult>> RecentAsync(ResultQuery q, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        // Only the filters asked for, so the planner sees the terms its indexes serve ("NOT ok" is the failures index's condition).
        string where = string.Concat(
            q.FailuresOnly ? "NOT ok AND " : string.Empty,
            q.Scenario is null ? string.Empty : "scenario = @scenario AND ",
            q.Region is null ? string.Empty : "region = @region AND ");
        await using var query = new NpgsqlCommand($"""
            SELECT {Columns} FROM probe_results
            WHERE {where}started_at >= @since
            ORDER BY started_at DESC, id DESC LIMIT @limit
            """, connection);
        if (q.Scenario is not null)
        {
            query.Parameters.AddWithValue("scenario", q.Scenario);
        }

        if (q.Region is not null)
        {
            query.Parameters.AddWithValue("region", q.Region);
        }

        query.Parameters.AddWithValue("since", (q.Since ?? DateTimeOffset.UnixEpoch).UtcDateTime);
        query.Parameters.AddWithValue("limit", q.Limit);
        return await ReadResultsAsync(query, cancellation);
    }

    public async Task<IReadOnlyList<SyntheticResult>> LatestAsync(IReadOnlyCollection<string> scenarios, IReadOnlyCollection<string> regions, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        // One index seek per scenario and region, the newest first, in one statement.
        await using var query = new NpgsqlCommand($"""
            SELECT latest.* FROM unnest(@scenarios::text[]) AS s(name) CROSS JOIN unnest(@regions::text[]) AS g(name)
            CROSS JOIN LATERAL (SELECT {Columns} FROM probe_results WHERE scenario = s.name AND region = g.name ORDER BY started_at DESC, id DESC LIMIT 1) AS latest
            """, connection);
        query.Parameters.AddWithValue("scenarios", scenarios.ToArray());
        query.Parameters.AddWithValue("regions", regions.ToArray());
        return await ReadResultsAsync(query, cancellation);
    }

    private static async Task<IReadOnlyList<SyntheticResult>> ReadResultsAsync(NpgsqlCommand query, CancellationToken cancellation)
    {
        var list = new List<SyntheticResult>();
        await using NpgsqlDataReader r = await query.ExecuteReaderAsync(cancellation);
        while (await r.ReadAsync(cancellation))
        {
            list.Add(new SyntheticResult(
                r.GetGuid(0),
                r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                new DateTimeOffset(r.GetDateTime(1), TimeSpan.Zero),
                TimeSpan.FromMilliseconds(r.GetDouble(7)),
                r.GetBoolean(6),
                r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetString(9),
                r.GetInt32(10),
                SyntheticResultJson.ParseSteps(r.GetString(12)),
                r.GetBoolean(11))
            {
                Llm = r.IsDBNull(13) ? null : new LlmOutcome(r.GetBoolean(13), Nullable(r, 14), Nullable(r, 15), r.GetDouble(16), Nullable(r, 17)),
                Maintenance = r.IsDBNull(18) ? null : r.GetString(18),
            });
        }

        return list;
    }

    private static double? Nullable(NpgsqlDataReader r, int column) => r.IsDBNull(column) ? null : r.GetDouble(column);

    public async Task<long> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellation)
    {
        await using NpgsqlConnection connection = await _source.OpenConnectionAsync(cancellation);
        await using var delete = new NpgsqlCommand("DELETE FROM probe_results WHERE started_at < @cutoff", connection);
        delete.Parameters.AddWithValue("cutoff", cutoff.UtcDateTime);
        long deleted = await delete.ExecuteNonQueryAsync(cancellation);

        // Rollups of the minutes and hours wholly before the cutoff go with their results (the cutoff's own minute and hour keep their tallies).
        await using var rollups = new NpgsqlCommand("DELETE FROM probe_minutes WHERE minute < @minute", connection);
        rollups.Parameters.AddWithValue("minute", MinuteRollups.Minute(cutoff));
        await rollups.ExecuteNonQueryAsync(cancellation);
        await using var hours = new NpgsqlCommand("DELETE FROM probe_hours WHERE hour < @hour; DELETE FROM probe_slices WHERE hour < @hour", connection);
        hours.Parameters.AddWithValue("hour", MinuteRollups.Minute(cutoff) / 60);
        await hours.ExecuteNonQueryAsync(cancellation);
        return deleted;
    }

    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellation) =>
        value is null ? copy.WriteNullAsync(cancellation) : copy.WriteAsync(value, NpgsqlDbType.Text, cancellation);

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken cancellation)
        where T : struct =>
        value is { } v ? copy.WriteAsync(v, type, cancellation) : copy.WriteNullAsync(cancellation);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellation)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellation);
    }
}
