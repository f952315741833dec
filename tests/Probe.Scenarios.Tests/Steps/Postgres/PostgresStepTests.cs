using System.Net;
using System.Net.Sockets;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Steps.Postgres;

/// <summary>One real PostgreSQL for the class, started by the fixture.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

[Collection(RealTimeCollection.Name)]
public class PostgresStepTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task Postgres_SelectOne_ConnectsAndCountsTheRow()
    {
        StepSnapshot step = await RunAsync($$"""{ "connection": "{{postgres.Server.ConnectionString}}", "rows": 1 }""", """["latency < 5s", "size == 1"]""");

        Assert.True((step.Ok, step.Fail) == (3, 0), string.Join("; ", step.FailureMessages));
        Assert.Equal(3, step.Bytes);
        Assert.Contains("connect", step.Phases.Keys);
        Assert.Contains("ttfb", step.Phases.Keys);
    }

    [Fact]
    public async Task Postgres_QueryWithRows_ComparesTheRowCount()
    {
        StepSnapshot step = await RunAsync($$"""{ "connection": "{{postgres.Server.ConnectionString}}", "query": "SELECT generate_series(1, 5)", "rows": 4 }""");

        Assert.Equal(["check: the query returned 5 rows, expected 4"], step.FailureMessages);
    }

    [Fact]
    public async Task Postgres_BadSql_FailsWithStatusReasonAndTheSqlState()
    {
        StepSnapshot step = await RunAsync($$"""{ "connection": "{{postgres.Server.ConnectionString}}", "query": "SELEC 1" }""");

        Assert.Equal(FailureReason.Status, step.FailureReasons.Keys.Single());
        Assert.StartsWith("status: PostgreSQL 42601: syntax error", step.FailureMessages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postgres_NothingListening_FailsWithConnectReason()
    {
        StepSnapshot step = await RunAsync("""{ "connection": "Host=127.0.0.1;Port=1;Username=postgres;Database=postgres" }""");

        Assert.Equal(FailureReason.Connect, step.FailureReasons.Keys.Single());
    }

    [Fact]
    public async Task Postgres_APortThatNeverAnswersAsPostgres_SaysSoAtItsTimeout()
    {
        // As an HTTP server does: it takes the connection and waits for a request line that never comes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        Task<Socket> accepted = silent.AcceptSocketAsync();

        StepSnapshot step = await RunAsync($$"""{ "connection": "Host=127.0.0.1;Port={{port}};Username=postgres;Database=postgres;SSL Mode=Disable" }""", timeout: "1s", iterations: 1);

        using Socket connection = await accepted;
        string message = step.FailureMessages.Single();
        Assert.Contains($"no answer as PostgreSQL from 127.0.0.1:{port}", message, StringComparison.Ordinal);
        Assert.Contains("is it PostgreSQL's port?", message, StringComparison.Ordinal);
        Assert.Equal(1, step.Fail);
    }

    [Fact]
    public async Task Postgres_APoolThatKeepsAUserWaiting_IsNotTakenForAWrongPort()
    {
        // One connection for three users: the others wait for the pool while the first's query runs past the
        // timeout (were the connection handed on as that query is cancelled, one of them would still be waiting).
        StepSnapshot step = await RunAsync($$"""{ "connection": "{{postgres.Server.ConnectionString}};Maximum Pool Size=1;Minimum Pool Size=0", "query": "SELECT pg_sleep(3)" }""", timeout: "1s", iterations: 3, copies: 3);

        Assert.Equal(3, step.Fail);
        Assert.Contains(step.FailureMessages, m => m.Contains("Max Pool Size", StringComparison.Ordinal));
        Assert.DoesNotContain(step.FailureMessages, m => m.Contains("PostgreSQL's port", StringComparison.Ordinal));
    }

    [Fact]
    public void Postgres_BrokenConnectionString_IsAValidationError()
    {
        var e = Assert.Throws<SuiteException>(() => Suite("""{ "connection": "Hots=127.0.0.1" }""", "[]"));
        Assert.Contains("not a PostgreSQL connection string", e.Errors.Single().Message, StringComparison.Ordinal);
    }

    private static SuiteDefinition Suite(string postgresStep, string checks, string timeout = "10s", int iterations = 3, int copies = 1) => SuiteLoader.Parse($$"""
        { "targets": { "t": { "url": "http://127.0.0.1:1" } },
          "scenarios": { "s": { "steps": [ { "name": "db", "postgres": {{postgresStep}}, "checks": {{checks}}, "timeout": "{{timeout}}" } ],
                                "load": { "iterations_for_constant": { "copies": {{copies}}, "iterations": {{iterations}} } } } } }
        """);

    private static async Task<StepSnapshot> RunAsync(string postgresStep, string checks = "[]", string timeout = "10s", int iterations = 3, int copies = 1)
    {
        using BoundSuite bound = SuiteBinder.Bind(Suite(postgresStep, checks, timeout, iterations, copies));
        RunResult result = await LoadRunner.RunAsync(bound.Scenarios);
        return result.Scenario("s").Step("db")!;
    }
}
