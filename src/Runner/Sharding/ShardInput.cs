using Npgsql;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;

namespace Probe.Runner.Sharding;

/// <summary>Checks the sharding options of <c>probe run</c> and joins the run, saying precisely what is wrong.</summary>
internal static class ShardInput
{
    /// <summary>Null when the options are consistent (all three or none); otherwise what to fix.</summary>
    public static string? Check(string? shard, string? coordinator, string? runId, string barrierText, out ShardIdentity? identity, out TimeSpan barrier)
    {
        identity = ShardIdentity.Whole;
        barrier = TimeSpan.FromSeconds(60);
        if (shard is null)
        {
            return runId is null ? null : "--run-id is for sharded runs: add --shard i/N and --coordinator";
        }

        identity = ShardIdentity.Parse(shard, out string? error);
        if (identity is null)
        {
            return error;
        }

        if (coordinator is null || runId is null)
        {
            return "--shard needs --coordinator postgres://… (or PROBE_COORDINATOR) and --run-id ID, the same for every shard";
        }

        if (!DurationText.TryParse(barrierText, out barrier, out string? why) || barrier <= TimeSpan.Zero)
        {
            return $"--barrier-timeout: {why ?? "must be more than zero"}, found \"{barrierText}\"";
        }

        return null;
    }

    /// <summary>Connects and registers; null after printing why not (the caller exits 2).</summary>
    public static async Task<ShardSession?> JoinAsync(string coordinator, ShardIdentity shard, string runId, int allowMissing, TextWriter errors, CancellationToken cancellation)
    {
        try
        {
            return await ShardSession.JoinAsync(coordinator, shard, runId, allowMissing, TimeProvider.System, cancellation);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or NpgsqlException or ArgumentException)
        {
            await errors.WriteLineAsync($"probe: --coordinator {Stores.StoreAddress.Redact(coordinator)}: {e.Message}");
            return null;
        }
    }
}
