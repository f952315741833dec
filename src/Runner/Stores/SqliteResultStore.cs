using Microsoft.Data.Sqlite;
using Probe.Exporter.Slo;
using Probe.Runner.Results;

namespace Probe.Runner.Stores;

/// <summary>
/// The embedded default store: one SQLite file (WAL journal), zero set-up. Times are stored as
/// microseconds since the Unix epoch; <c>INSERT OR IGNORE</c> on the id makes writes idempotent.
/// </summary>
internal sealed class SqliteResultStore : IResultStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE probe_results (
            id TEXT PRIMARY KEY,
            started_at INTEGER NOT NULL,
            suite TEXT NOT NULL,
            scenario TEXT NOT NULL,
            region TEXT NOT NULL,
            target TEXT NOT NULL,
            ok INTEGER NOT NULL,
            duration_ms REAL NOT NULL,
            reason TEXT,
            message TEXT,
            status INTEGER NOT NULL,
            recheck INTEGER NOT NULL,
            steps TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX probe_results_started ON probe_results (started_at);
        CREATE INDEX probe_results_scenario ON probe_results (scenario, region, started_at);
        """,
        """
        ALTER TABLE probe_results ADD COLUMN llm_ok INTEGER;
        ALTER TABLE probe_results ADD COLUMN llm_ttft_ms REAL;
        ALTER TABLE probe_results ADD COLUMN llm_tpot_ms REAL;
        ALTER TABLE probe_results ADD COLUMN llm_e2e_ms REAL;
        ALTER TABLE probe_results ADD COLUMN llm_tps REAL
        """,
        """
        CREATE TABLE probe_minutes (
            sli TEXT NOT NULL,
            scenario TEXT NOT NULL,
            region TEXT NOT NULL,
            minute INTEGER NOT NULL,
            runs INTEGER NOT NULL,
            ok INTEGER NOT NULL,
            good INTEGER NOT NULL,
            PRIMARY KEY (sli, minute, scenario, region)
        ) WITHOUT ROWID;
        CREATE INDEX probe_minutes_scenario ON probe_minutes (sli, scenario, minute, region, runs, ok, good);
        CREATE TABLE probe_minutes_cover (sli TEXT PRIMARY KEY, until_minute INTEGER NOT NULL) WITHOUT ROWID
        """,
        """
        CREATE TABLE probe_hours (
            sli TEXT NOT NULL,
            scenario TEXT NOT NULL,
            region TEXT NOT NULL,
            hour INTEGER NOT NULL,
            runs INTEGER NOT NULL,
            ok INTEGER NOT NULL,
            good INTEGER NOT NULL,
            PRIMARY KEY (sli, hour, scenario, region)
        ) WITHOUT ROWID;
        CREATE INDEX probe_hours_scenario ON probe_hours (sli, scenario, hour, region, runs, ok, good);
        ALTER TABLE probe_minutes_cover ADD COLUMN until_hour INTEGER;
        CREATE TABLE probe_slices (key TEXT NOT NULL, hour INTEGER NOT NULL, slices INTEGER NOT NULL, good INTEGER NOT NULL, PRIMARY KEY (key, hour)) WITHOUT ROWID;
        CREATE INDEX probe_slices_hour ON probe_slices (hour)
        """,
        "ALTER TABLE probe_results ADD COLUMN maintenance TEXT",
        // Failures are few: the status page's last failures are a seek here, not a walk back over every
        // result of the day (which grew with uptime: 0.2 s per refresh after two hours at 1,440 a minute).
        "CREATE INDEX probe_results_failures ON probe_results (started_at) WHERE ok = 0",
    ];

    /// <summary>A result's minute since the epoch, from its microseconds.</summary>
    private const string MinuteOf = "(started_at / 60000000)";

    private readonly string _connectionString;

    public SqliteResultStore(string path)
    {
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 5 }.ToString();
    }

    public string Path { get; }

    public string Description => "sqlite:" + Path;

    /// <summary>
    /// SQLite's primary result codes: TOOBIG (18), CONSTRAINT (19) and MISMATCH (20) are the data; a file
    /// that cannot be opened or is not a database (14, 26), or a folder that cannot be made, the
    /// configuration; busy, locked, full disk and I/O errors an outage (the spool holds the results).
    /// </summary>
    public StoreFault Classify(Exception error) => error switch
    {
        SqliteException { SqliteErrorCode: 18 or 19 or 20 } => StoreFault.Content,
        SqliteException { SqliteErrorCode: 14 or 26 } or UnauthorizedAccessException => StoreFault.Configuration,
        _ => StoreFault.Outage,
    };

    public async Task MigrateAsync(CancellationToken cancellation)
    {
        string? folder = System.IO.Path.GetDirectoryName(Path);
        if (folder is { Length: > 0 })
        {
            Directory.CreateDirectory(folder);
        }

        await using SqliteConnection connection = await OpenAsync(cancellation);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL; CREATE TABLE IF NOT EXISTS probe_schema (version INTEGER NOT NULL);", cancellation);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellation);
        await using SqliteCommand read = Command(connection, "SELECT coalesce(max(version), 0) FROM probe_schema", transaction);
        long version = (long)(await read.ExecuteScalarAsync(cancellation))!;
        for (long v = version; v < Migrations.Length; v++)
        {
            await using SqliteCommand step = Command(connection, Migrations[v] + $"; INSERT INTO probe_schema (version) VALUES ({v + 1});", transaction);
            await step.ExecuteNonQueryAsync(cancellation);
        }

        await transaction.CommitAsync(cancellation);
    }

    public async Task WriteAsync(IReadOnlyList<SyntheticResult> batch, CancellationToken cancellation)
    {
        await using SqliteConnection connection = await OpenAsync(cancellation);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellation);
        await using SqliteCommand insert = Command(connection, """
            INSERT OR IGNORE INTO probe_results (id, started_at, suite, scenario, region, target, ok, duration_ms, reason, message, status, recheck, steps, llm_ok, llm_ttft_ms, llm_tpot_ms, llm_e2e_ms, llm_tps, maintenance)
            VALUES ($id, $at, $suite, $scenario, $region, $target, $ok, $ms, $reason, $message, $status, $recheck, $steps, $llm_ok, $llm_ttft, $llm_tpot, $llm_e2e, $llm_tps, $maintenance)
            """, transaction);
        string[] names = ["$id", "$at", "$suite", "$scenario", "$region", "$target", "$ok", "$ms", "$reason", "$message", "$status", "$recheck", "$steps", "$llm_ok", "$llm_ttft", "$llm_tpot", "$llm_e2e", "$llm_tps", "$maintenance"];
        SqliteParameter[] p = names.Select(name => insert.Parameters.AddWithValue(name, DBNull.Value)).ToArray();
        insert.Prepare();
        foreach (SyntheticResult r in batch)
        {
            p[0].Value = r.Id.ToString();
            p[1].Value = Microseconds(r.StartedAt);
            p[2].Value = r.Suite;
            p[3].Value = r.Scenario;
            p[4].Value = r.Region;
            p[5].Value = r.Target;
            p[6].Value = r.Ok ? 1 : 0;
            p[7].Value = r.Duration.TotalMilliseconds;
            p[8].Value = (object?)r.Reason ?? DBNull.Value;
            p[9].Value = (object?)r.Message ?? DBNull.Value;
            p[10].Value = r.Status;
            p[11].Value = r.Recheck ? 1 : 0;
            p[12].Value = SyntheticResultJson.StepsText(r.Steps);
            p[13].Value = r.Llm is { } llm ? (llm.Ok ? 1 : 0) : DBNull.Value;
            p[14].Value = (object?)r.Llm?.TtftMs ?? DBNull.Value;
            p[15].Value = (object?)r.Llm?.TpotMs ?? DBNull.Value;
            p[16].Value = (object?)r.Llm?.E2eMs ?? DBNull.Value;
            p[17].Value = (object?)r.Llm?.OutputTps ?? DBNull.Value;
            p[18].Value = (object?)r.Maintenance ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellation);
        }

        // Minutes (and hours) already rolled up that this batch adds to are rolled up again, in the same transaction.
        foreach ((string sli, long until, long? hours) in await CoverAsync(connection, transaction, cancellation))
        {
            var late = MinuteRollups.Keys(batch).Where(k => k.Minute < until).ToArray();
            foreach ((string scenario, string region, long minute) in late)
            {
                await RollUpAsync(connection, transaction, sli, minute, minute + 1, (scenario, region), cancellation);
            }

            foreach ((string scenario, string region, long hour) in MinuteRollups.Hours(late, hours))
            {
                await RollUpHoursAsync(connection, transaction, sli, hour, hour + 1, (scenario, region), cancellation);
            }
        }

        // Timeslices of the hours this batch adds to are computed again when next asked for.
        await using SqliteCommand slices = Command(connection, "DELETE FROM probe_slices WHERE hour = $hour", transaction);
        SqliteParameter sliceHour = slices.Parameters.AddWithValue("$hour", 0L);
        foreach (long hour in MinuteRollups.Keys(batch).Select(k => k.Minute / 60).Distinct())
        {
            sliceHour.Value = hour;
            await slices.ExecuteNonQueryAsync(cancellation);
        }

        await transaction.CommitAsync(cancellation);
    }

    public async Task<IReadOnlyList<ScenarioMinute>> MinutesAsync(DateTimeOffset since, DateTimeOffset now, SliCondition good, IReadOnlyCollection<string>? scenarios, CancellationToken cancellation, IReadOnlyCollection<long>? edges = null)
    {
        string sli = good.ToString();
        await using SqliteConnection connection = await OpenAsync(cancellation);
        Cover covered = await MinuteRollups.CoverAsync(MinuteRollups.SettledEnd(now), end => CoverUpToAsync(connection, sli, end, cancellation));
        long from = MinuteRollups.Minute(since);
        Spans spans = MinuteRollups.Split(from, covered.Minutes, covered.Hours, edges);
        await using SqliteCommand query = Command(connection, string.Empty);
        // SQLite's planner has no statistics: INDEXED BY keeps it on the right index (rollups by time through
        // the primary key, or of some scenarios through the covering index; results by time), never on every
        // result of a scenario.
        string names = scenarios is null ? string.Empty : string.Join(", ", scenarios.Select((name, i) => Parameter(query, $"$s{i}", name)));
        string only = scenarios is null ? string.Empty : $"scenario IN ({names}) AND";
        IEnumerable<string> parts = spans.Hours.Select((span, i) => $"""
            SELECT scenario, region, hour * 60, runs, ok, good, 1 FROM probe_hours {(scenarios is null ? string.Empty : "INDEXED BY probe_hours_scenario")}
            WHERE sli = $sli AND {only} hour >= {Parameter(query, $"$h{i}", span.From)} AND hour < {Parameter(query, $"$he{i}", span.To)}
            """).Concat(spans.Minutes.Select((span, i) => $"""
            SELECT scenario, region, minute, runs, ok, good, 0 FROM probe_minutes {(scenarios is null ? string.Empty : "INDEXED BY probe_minutes_scenario")}
            WHERE sli = $sli AND {only} minute >= {Parameter(query, $"$m{i}", span.From)} AND minute < {Parameter(query, $"$me{i}", span.To)}
            """)).Append($"""
            SELECT scenario, region, {MinuteOf} AS minute, count(*), sum(ok), sum(CASE WHEN {sli} THEN 1 ELSE 0 END), 0
            FROM probe_results INDEXED BY probe_results_started WHERE started_at >= $raw AND recheck = 0 AND maintenance IS NULL {(scenarios is null ? string.Empty : $"AND +scenario IN ({names})")}
            GROUP BY scenario, region, minute
            """);
        query.CommandText = string.Join("\nUNION ALL\n", parts);
        query.Parameters.AddWithValue("$sli", sli);
        query.Parameters.AddWithValue("$raw", Math.Max(from, covered.Minutes) * 60_000_000);
        var list = new List<ScenarioMinute>();
        await using SqliteDataReader reader = await query.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            list.Add(new ScenarioMinute(reader.GetString(0), new MinuteTally(reader.GetInt64(2), reader.GetString(1), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)), reader.GetInt64(6) == 1));
        }

        return list;
    }

    public async Task<IReadOnlyCollection<CheckDay>> DayAsync(DateTimeOffset now, CancellationToken cancellation)
    {
        string sli = SliCondition.None.ToString();
        await using SqliteConnection connection = await OpenAsync(cancellation);
        Cover covered = await MinuteRollups.CoverAsync(MinuteRollups.SettledEnd(now), end => CoverUpToAsync(connection, sli, end, cancellation));
        // Settled hours as they are kept, the minutes after them summed per hour, the last 60 minutes summed
        // once, and the unsettled results (all inside the last 60 minutes) per hour for both.
        await using SqliteCommand query = Command(connection, $"""
            SELECT scenario, region, hour, runs, ok, {(int)DayPart.Strip} FROM probe_hours
            WHERE sli = $sli AND hour >= $first AND hour < $hours
            UNION ALL
            SELECT scenario, region, minute / 60, sum(runs), sum(ok), {(int)DayPart.Strip} FROM probe_minutes
            WHERE sli = $sli AND minute >= max($hours, $first) * 60 AND minute < $covered
            GROUP BY scenario, region, minute / 60
            UNION ALL
            SELECT scenario, region, 0, sum(runs), sum(ok), {(int)DayPart.LastHour} FROM probe_minutes
            WHERE sli = $sli AND minute >= $edge AND minute < $covered
            GROUP BY scenario, region
            UNION ALL
            SELECT scenario, region, started_at / 3600000000, count(*), sum(ok), {(int)DayPart.Both}
            FROM probe_results INDEXED BY probe_results_started WHERE started_at >= $raw AND started_at < $end AND recheck = 0 AND maintenance IS NULL
            GROUP BY scenario, region, started_at / 3600000000
            """);
        query.Parameters.AddWithValue("$sli", sli);
        query.Parameters.AddWithValue("$first", CheckDay.FirstHour(now));
        query.Parameters.AddWithValue("$hours", covered.Hours);
        query.Parameters.AddWithValue("$covered", covered.Minutes);
        query.Parameters.AddWithValue("$edge", CheckDay.LastHourFrom(now));
        query.Parameters.AddWithValue("$raw", covered.Minutes * 60_000_000);
        query.Parameters.AddWithValue("$end", (MinuteRollups.Minute(now) + 1) * 60_000_000);
        var days = new CheckDays(now);
        await using SqliteDataReader reader = await query.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            days.Add(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), (DayPart)reader.GetInt64(5), reader.GetInt64(3), reader.GetInt64(4));
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

        await using SqliteConnection connection = await OpenAsync(cancellation);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellation);
        await using SqliteCommand read = Command(connection, "SELECT hour, slices, good FROM probe_slices WHERE key = $key AND hour >= $from AND hour <= $to", transaction);
        string key = MinuteRollups.SliceKey(scenarios, quorum);
        read.Parameters.AddWithValue("$key", key);
        read.Parameters.AddWithValue("$from", hours.Min());
        read.Parameters.AddWithValue("$to", hours.Max());
        await ReadSlicesAsync(read, wanted, slices, cancellation);

        (long From, long To)[] missing = MinuteRollups.Runs(hours.Where(h => !slices.ContainsKey(h))).ToArray();
        if (missing.Length > 0)
        {
            await using SqliteCommand compute = Command(connection, string.Empty, transaction);
            string names = string.Join(", ", scenarios.Select((name, i) => Parameter(compute, $"$s{i}", name)));
            compute.CommandText = string.Join("\nUNION ALL\n", missing.Select((span, i) => $"""
                SELECT minute / 60, count(*), sum(good_regions >= min($quorum, regions)) FROM (
                    SELECT minute, count(*) AS regions, sum(runs = ok) AS good_regions FROM (
                        SELECT minute, region, sum(runs) AS runs, sum(ok) AS ok FROM probe_minutes INDEXED BY probe_minutes_scenario
                        WHERE sli = $sli AND scenario IN ({names}) AND minute >= {Parameter(compute, $"$m{i}", span.From * 60)} AND minute < {Parameter(compute, $"$me{i}", span.To * 60)}
                        GROUP BY minute, region)
                    GROUP BY minute)
                GROUP BY minute / 60
                """));
            compute.CommandText = $"INSERT OR REPLACE INTO probe_slices (hour, slices, good, key) SELECT *, $key FROM ({compute.CommandText}) RETURNING hour, slices, good";
            compute.Parameters.AddWithValue("$sli", SliCondition.None.ToString());
            compute.Parameters.AddWithValue("$quorum", quorum);
            compute.Parameters.AddWithValue("$key", key);
            await ReadSlicesAsync(compute, wanted, slices, cancellation);
        }

        await transaction.CommitAsync(cancellation);
        return slices;
    }

    /// <summary>Reads (hour, slices, good) rows into <paramref name="into"/>, the hours asked for only (a range read finds others kept earlier).</summary>
    private static async Task ReadSlicesAsync(SqliteCommand command, HashSet<long> wanted, Dictionary<long, Sli> into, CancellationToken cancellation)
    {
        await using SqliteDataReader reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            if (wanted.Contains(reader.GetInt64(0)))
            {
                into[reader.GetInt64(0)] = new Sli(reader.GetInt64(2), reader.GetInt64(1));
            }
        }
    }

    /// <summary>
    /// Rolls up <paramref name="sli"/>'s minutes from where its rollups end, up to <paramref name="settledEnd"/> but
    /// at most <see cref="MinuteRollups.Chunk"/> of them (from the first result for a new condition), then the
    /// whole hours they complete (<see cref="MinuteRollups.NextHours"/>), in one write transaction; returns where
    /// both end now.
    /// </summary>
    private static async Task<Cover> CoverUpToAsync(SqliteConnection connection, string sli, long settledEnd, CancellationToken cancellation)
    {
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, cancellation);
        await using SqliteCommand read = Command(connection, """
            SELECT coalesce((SELECT until_minute FROM probe_minutes_cover WHERE sli = $sli), (SELECT min(started_at) / 60000000 FROM probe_results), $end),
                   (SELECT until_hour FROM probe_minutes_cover WHERE sli = $sli), (SELECT min(minute) FROM probe_minutes WHERE sli = $sli)
            """, transaction);
        read.Parameters.AddWithValue("$sli", sli);
        read.Parameters.AddWithValue("$end", settledEnd);
        long until;
        long? hoursUntil, firstMinute;
        await using (SqliteDataReader row = await read.ExecuteReaderAsync(cancellation))
        {
            await row.ReadAsync(cancellation);
            (until, hoursUntil, firstMinute) = (row.GetInt64(0), row.IsDBNull(1) ? null : row.GetInt64(1), row.IsDBNull(2) ? null : row.GetInt64(2));
        }

        long first = firstMinute ?? until; // where the minute rollups start (for a new condition, where they are about to)
        if (until < settledEnd)
        {
            long end = Math.Min(settledEnd, until + MinuteRollups.Chunk);
            await RollUpAsync(connection, transaction, sli, until, end, null, cancellation);
            until = end;
        }

        (long hoursFrom, long hoursTo) = MinuteRollups.NextHours(hoursUntil, first, until);
        if (hoursTo > hoursFrom)
        {
            await RollUpHoursAsync(connection, transaction, sli, hoursFrom, hoursTo, null, cancellation);
        }

        await using SqliteCommand cover = Command(connection, """
            INSERT INTO probe_minutes_cover (sli, until_minute, until_hour) VALUES ($sli, $until, $hours)
            ON CONFLICT (sli) DO UPDATE SET until_minute = max(until_minute, excluded.until_minute), until_hour = max(coalesce(until_hour, excluded.until_hour), excluded.until_hour)
            """, transaction);
        cover.Parameters.AddWithValue("$sli", sli);
        cover.Parameters.AddWithValue("$until", until);
        cover.Parameters.AddWithValue("$hours", hoursTo);
        await cover.ExecuteNonQueryAsync(cancellation);
        await transaction.CommitAsync(cancellation);
        return new Cover(until, hoursTo);
    }

    /// <summary>Recomputes <paramref name="sli"/>'s tallies of the minutes [from, to) from the results (of one scenario and region when given).</summary>
    private static async Task RollUpAsync(SqliteConnection connection, SqliteTransaction transaction, string sli, long from, long to, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        await using SqliteCommand rollup = Command(connection, $"""
            INSERT OR REPLACE INTO probe_minutes (sli, scenario, region, minute, runs, ok, good)
            SELECT $sli, scenario, region, {MinuteOf} AS minute, count(*), sum(ok), sum(CASE WHEN {sli} THEN 1 ELSE 0 END)
            FROM probe_results INDEXED BY {(only is null ? "probe_results_started" : "probe_results_scenario")}
            WHERE started_at >= $from AND started_at < $to AND recheck = 0 AND maintenance IS NULL {(only is null ? string.Empty : "AND scenario = $scenario AND region = $region")}
            GROUP BY scenario, region, minute
            """, transaction);
        rollup.Parameters.AddWithValue("$from", from * 60_000_000);
        rollup.Parameters.AddWithValue("$to", to * 60_000_000);
        await ExecuteRollUpAsync(rollup, sli, only, cancellation);
    }

    /// <summary>Recomputes <paramref name="sli"/>'s tallies of the hours [from, to) from its minute rollups (of one scenario and region when given).</summary>
    private static async Task RollUpHoursAsync(SqliteConnection connection, SqliteTransaction transaction, string sli, long from, long to, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        await using SqliteCommand rollup = Command(connection, $"""
            INSERT OR REPLACE INTO probe_hours (sli, scenario, region, hour, runs, ok, good)
            SELECT $sli, scenario, region, minute / 60 AS hour, sum(runs), sum(ok), sum(good)
            FROM probe_minutes {(only is null ? string.Empty : "INDEXED BY probe_minutes_scenario")}
            WHERE sli = $sli AND minute >= $from AND minute < $to {(only is null ? string.Empty : "AND scenario = $scenario AND region = $region")}
            GROUP BY scenario, region, hour
            """, transaction);
        rollup.Parameters.AddWithValue("$from", from * 60);
        rollup.Parameters.AddWithValue("$to", to * 60);
        await ExecuteRollUpAsync(rollup, sli, only, cancellation);
    }

    private static async Task ExecuteRollUpAsync(SqliteCommand rollup, string sli, (string Scenario, string Region)? only, CancellationToken cancellation)
    {
        rollup.Parameters.AddWithValue("$sli", sli);
        if (only is { } key)
        {
            rollup.Parameters.AddWithValue("$scenario", key.Scenario);
            rollup.Parameters.AddWithValue("$region", key.Region);
        }

        await rollup.ExecuteNonQueryAsync(cancellation);
    }

    private static async Task<List<(string Sli, long Until, long? Hours)>> CoverAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellation)
    {
        await using SqliteCommand read = Command(connection, "SELECT sli, until_minute, until_hour FROM probe_minutes_cover", transaction);
        var cover = new List<(string, long, long?)>();
        await using SqliteDataReader reader = await read.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            cover.Add((reader.GetString(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetInt64(2)));
        }

        return cover;
    }

    private static string Parameter(SqliteCommand command, string name, object value)
    {
        command.Parameters.AddWithValue(name, value);
        return name;
    }

    public async Task<IReadOnlyList<SyntheticResult>> RecentAsync(ResultQuery q, CancellationToken cancellation)
    {
        await using SqliteConnection connection = await OpenAsync(cancellation);
        // Only the filters asked for, so the planner sees the terms its indexes serve ("ok = 0" is the
        // failures index's condition; "scenario = ... AND region = ..." the scenario index's prefix).
        string where = string.Concat(
            q.FailuresOnly ? "ok = 0 AND " : string.Empty,
            q.Scenario is null ? string.Empty : "scenario = $scenario AND ",
            q.Region is null ? string.Empty : "region = $region AND ");
        await using SqliteCommand query = Command(connection, $"""
            SELECT {Columns}
            FROM probe_results
            WHERE {where}started_at >= $since
            ORDER BY started_at DESC, id DESC LIMIT $limit
            """);
        if (q.Scenario is not null)
        {
            query.Parameters.AddWithValue("$scenario", q.Scenario);
        }

        if (q.Region is not null)
        {
            query.Parameters.AddWithValue("$region", q.Region);
        }

        query.Parameters.AddWithValue("$since", q.Since is { } since ? Microseconds(since) : long.MinValue);
        query.Parameters.AddWithValue("$limit", q.Limit);
        return await ReadResultsAsync(query, cancellation);
    }

    public async Task<IReadOnlyList<SyntheticResult>> LatestAsync(IReadOnlyCollection<string> scenarios, IReadOnlyCollection<string> regions, CancellationToken cancellation)
    {
        await using SqliteConnection connection = await OpenAsync(cancellation);
        // One index seek per scenario and region, the newest first, in one statement.
        await using SqliteCommand query = Command(connection, $"""
            SELECT {Columns} FROM probe_results WHERE id IN (
                SELECT (SELECT id FROM probe_results INDEXED BY probe_results_scenario WHERE scenario = s.value AND region = g.value ORDER BY started_at DESC, id DESC LIMIT 1)
                FROM json_each($scenarios) AS s, json_each($regions) AS g)
            """);
        query.Parameters.AddWithValue("$scenarios", System.Text.Json.JsonSerializer.Serialize(scenarios));
        query.Parameters.AddWithValue("$regions", System.Text.Json.JsonSerializer.Serialize(regions));
        return await ReadResultsAsync(query, cancellation);
    }

    private const string Columns = "id, started_at, suite, scenario, region, target, ok, duration_ms, reason, message, status, recheck, steps, llm_ok, llm_ttft_ms, llm_tpot_ms, llm_e2e_ms, llm_tps, maintenance";

    private static async Task<IReadOnlyList<SyntheticResult>> ReadResultsAsync(SqliteCommand query, CancellationToken cancellation)
    {
        var list = new List<SyntheticResult>();
        await using SqliteDataReader r = await query.ExecuteReaderAsync(cancellation);
        while (await r.ReadAsync(cancellation))
        {
            list.Add(new SyntheticResult(
                Guid.Parse(r.GetString(0)),
                r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                DateTimeOffset.UnixEpoch.AddTicks(r.GetInt64(1) * 10),
                TimeSpan.FromMilliseconds(r.GetDouble(7)),
                r.GetInt64(6) != 0,
                r.IsDBNull(8) ? null : r.GetString(8),
                r.IsDBNull(9) ? null : r.GetString(9),
                (int)r.GetInt64(10),
                SyntheticResultJson.ParseSteps(r.GetString(12)),
                r.GetInt64(11) != 0)
            {
                Llm = r.IsDBNull(13) ? null : new LlmOutcome(r.GetInt64(13) != 0, Nullable(r, 14), Nullable(r, 15), r.GetDouble(16), Nullable(r, 17)),
                Maintenance = r.IsDBNull(18) ? null : r.GetString(18),
            });
        }

        return list;
    }

    private static double? Nullable(SqliteDataReader r, int column) => r.IsDBNull(column) ? null : r.GetDouble(column);

    public async Task<long> DeleteBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellation)
    {
        await using SqliteConnection connection = await OpenAsync(cancellation);
        await using SqliteCommand delete = Command(connection, "DELETE FROM probe_results WHERE started_at < $cutoff");
        delete.Parameters.AddWithValue("$cutoff", Microseconds(cutoff));
        long deleted = await delete.ExecuteNonQueryAsync(cancellation);

        // Rollups of the minutes and hours wholly before the cutoff go with their results (the cutoff's own minute and hour keep their tallies).
        await using SqliteCommand rollups = Command(connection, "DELETE FROM probe_minutes WHERE minute < $minute");
        rollups.Parameters.AddWithValue("$minute", MinuteRollups.Minute(cutoff));
        await rollups.ExecuteNonQueryAsync(cancellation);
        await using SqliteCommand hours = Command(connection, "DELETE FROM probe_hours WHERE hour < $hour; DELETE FROM probe_slices WHERE hour < $hour");
        hours.Parameters.AddWithValue("$hour", MinuteRollups.Minute(cutoff) / 60);
        await hours.ExecuteNonQueryAsync(cancellation);
        return deleted;
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }

    internal static long Microseconds(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellation)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellation);
        await ExecuteAsync(connection, "PRAGMA synchronous = NORMAL;", cancellation);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellation)
    {
        await using SqliteCommand command = Command(connection, sql);
        await command.ExecuteNonQueryAsync(cancellation);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }
}
