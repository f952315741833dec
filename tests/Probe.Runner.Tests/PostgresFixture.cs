using Npgsql;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests;

/// <summary>One real PostgreSQL for the assembly's store tests; each test gets a fresh database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _next;

    public PostgresServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        string name = $"probe_test_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():n}"[..40];
        await using (var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = name }.ConnectionString;
    }
}
