using Microsoft.Data.Sqlite;
using Npgsql;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>Every result id in a store's table, read with plain SQL (duplicates would show as repeats).</summary>
internal static class StoredIds
{
    public static async Task<IReadOnlyList<Guid>> SqliteAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using SqliteCommand query = connection.CreateCommand();
        query.CommandText = "SELECT id FROM probe_results";
        var ids = new List<Guid>();
        await using SqliteDataReader reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(Guid.Parse(reader.GetString(0)));
        }

        return ids;
    }

    public static async Task<IReadOnlyList<Guid>> PostgresAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("SELECT id FROM probe_results", connection);
        var ids = new List<Guid>();
        await using NpgsqlDataReader reader = await query.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
