using Npgsql;
using Probe.Runner.Sharding;
using Xunit;

namespace Probe.Runner.Tests.Sharding;

/// <summary>The coordinator against a real PostgreSQL, at the moment shards meet it: all at once, on an empty database.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class ShardCoordinatorTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ManyShardsConnectingAtOnce_ToAnEmptyDatabase_AllMakeOrFindTheTables()
    {
        // Shards of one run start within milliseconds of each other; each makes the tables if they are missing.
        // Done several times over on fresh databases, since one round may by chance not overlap.
        for (int round = 0; round < 30; round++)
        {
            string coordinator = "postgres:" + await postgres.CreateDatabaseAsync();
            using var go = new ManualResetEventSlim();
            Task<ShardCoordinator>[] connecting = Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
            {
                go.Wait();
                return await ShardCoordinator.ConnectAsync(coordinator, CancellationToken.None);
            })).ToArray();
            go.Set();
            ShardCoordinator[] connected = await Task.WhenAll(connecting);
            for (int shard = 0; shard < connected.Length; shard++)
            {
                await connected[shard].RegisterAsync("r", shard, connected.Length, 0, "host", CancellationToken.None);
            }

            foreach (ShardCoordinator coordinatorOfShard in connected)
            {
                await coordinatorOfShard.DisposeAsync();
            }

            await using var connection = new NpgsqlConnection(coordinator["postgres:".Length..]);
            await connection.OpenAsync(CancellationToken.None);
            await using var count = new NpgsqlCommand("SELECT count(*) FROM probe_shards WHERE run_id = 'r'", connection);
            Assert.Equal(12L, (long)(await count.ExecuteScalarAsync(CancellationToken.None))!);
        }
    }
}
