using Npgsql;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Postgres;

/// <summary>
/// The seeds' "database connectivity verified": opens a pooled connection, runs the query, reads
/// every row. Opening is the <c>connect</c> phase, the query until its first row <c>ttfb</c>, the
/// rest <c>transfer</c>.
/// </summary>
internal sealed class PostgresStep : IDisposable
{
    private readonly PostgresStepSpec _spec;
    private readonly TimeProvider _time;
    private readonly NpgsqlDataSource _source;
    private readonly string _server;
    private volatile bool _everOpened;

    private readonly StepChecks _checks;

    public PostgresStep(PostgresStepSpec spec, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _checks = checks;
        _time = time;
        var builder = new NpgsqlConnectionStringBuilder(Secrets.Resolve(spec.Connection))
        {
            Timeout = Math.Max(1, (int)Math.Ceiling(spec.Timeout.TotalSeconds)),
        };
        _source = NpgsqlDataSource.Create(builder);
        _server = $"{builder.Host}:{builder.Port}";
    }

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(_spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        long start = _time.GetTimestamp();
        long opened = -1;
        try
        {
            await using NpgsqlConnection connection = await _source.OpenConnectionAsync(linked.Token).ConfigureAwait(false);
            opened = _time.GetTimestamp();
            _everOpened = true;
            await using var command = new NpgsqlCommand(_spec.Query, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(linked.Token).ConfigureAwait(false);
            long firstRow = -1;
            long rows = 0;
            while (await reader.ReadAsync(linked.Token).ConfigureAwait(false))
            {
                firstRow = firstRow < 0 ? _time.GetTimestamp() : firstRow;
                rows++;
            }

            long end = _time.GetTimestamp();
            firstRow = firstRow < 0 ? end : firstRow;
            var phases = new PhaseTimings(-1, _time.ToNanoseconds(opened - start), -1, _time.ToNanoseconds(firstRow - opened), _time.ToNanoseconds(end - firstRow));
            return Judge(rows, _time.ToNanoseconds(end - start)) with { Phases = phases };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return StepResult.Fail(FailureReason.Timeout, opened < 0 ? NotOpened(null) : "no answer within the step's timeout");
        }
        catch (PostgresException e)
        {
            return StepResult.Fail(FailureReason.Status, $"PostgreSQL {e.SqlState}: {e.MessageText}");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return StepResult.Fail(
                opened < 0 ? FailureReason.Connect : FailureReason.Body,
                opened < 0 && (e is TimeoutException || e.InnerException is TimeoutException) ? NotOpened(e) : e.InnerException?.Message ?? e.Message);
        }
    }

    /// <summary>
    /// Why a connection did not open in time. Until one has opened, the likely cause is a port that takes the
    /// connection but answers in another protocol (or not at all), which only lets the time run out; after,
    /// the server is PostgreSQL, and the server or the connection pool kept the step waiting: Npgsql's own
    /// message (<paramref name="npgsql"/>, such as an exhausted pool) says which, when there is one.
    /// </summary>
    private string NotOpened(Exception? npgsql) => _everOpened
        ? npgsql?.Message ?? $"no connection to {_server} opened within the step's timeout (the server, or the connection pool at its Max Pool Size, kept it waiting)"
        : $"no answer as PostgreSQL from {_server} within the step's timeout while connecting: is it PostgreSQL's port? (a server there that speaks another protocol, such as HTTP, waits silently for more bytes; a firewall that drops packets looks the same)";

    public void Dispose() => _source.Dispose();

    private StepResult Judge(long rows, long durationNs)
    {
        var input = new CheckInput(0, durationNs, rows, null);
        if (_checks.FirstFailure(input) is { } failure)
        {
            return StepResult.Fail(FailureReason.Check, failure, sizeBytes: rows);
        }

        return _spec.Rows is { } expected && expected != rows
            ? StepResult.Fail(FailureReason.Check, $"the query returned {rows} row{(rows == 1 ? string.Empty : "s")}, expected {expected}", sizeBytes: rows)
            : StepResult.Ok(sizeBytes: rows);
    }

}
