using Probe.Runner.Stores;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Stores;

/// <summary>Fresh, migrated stores for tests: an SQLite file in a temporary folder, or a new database on the shared PostgreSQL.</summary>
internal static class TestStores
{
    public static Task<IResultStore> SqliteAsync() => MigratedAsync("sqlite:" + Path.Combine(ProbeProcess.TempFolder(), "results.db"));

    public static async Task<IResultStore> PostgresAsync(PostgresFixture postgres) => await MigratedAsync("postgres:" + await postgres.CreateDatabaseAsync());

    private static async Task<IResultStore> MigratedAsync(string address)
    {
        IResultStore store = StoreAddress.Open(address);
        await store.MigrateAsync(default);
        return store;
    }
}
