using System.CommandLine;
using Npgsql;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;
using Probe.Runner.Output;
using Probe.Runner.Sharding;

namespace Probe.Runner.Cli;

/// <summary>
/// <c>probe report DIR</c>: renders every report of a finished run again from its run.json; or
/// <c>probe report --run-id ID --coordinator URL</c>: merges a sharded run's shards into one set of
/// reports and one verdict. Exits with the verdict.
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string?>("dir") { Description = "The output folder of a probe run (it holds run.json); with --run-id, where the merged reports go (default results/<run id>).", Arity = ArgumentArity.ZeroOrOne };
        var runId = new Option<string?>("--run-id") { Description = "Merge the shards of this sharded run (probe run --shard i/N --run-id ID) into one report and one verdict." };
        var coordinator = new Option<string?>("--coordinator") { Description = "The PostgreSQL that coordinated the sharded run: postgres://user:password@host:5432/db; PROBE_COORDINATOR in the environment." };
        var command = new Command("report", "Render a finished run's reports again from its run.json, or merge a sharded run's shards (--run-id, --coordinator) into one set of reports; exits with the verdict.") { folder, runId, coordinator };
        command.SetAction(async (parse, cancellation) =>
        {
            string? dir = parse.GetValue(folder);
            string? id = parse.GetValue(runId);
            if (id is not null)
            {
                return await MergeAsync(id, parse.GetValue(coordinator) ?? Environment.GetEnvironmentVariable("PROBE_COORDINATOR"), dir ?? Path.Combine("results", id), cancellation);
            }

            if (dir is null)
            {
                await Console.Error.WriteLineAsync("probe report: name a run's folder (probe report results/20261122-100000), or a sharded run with --run-id ID --coordinator URL");
                return (int)ExitCode.BadInput;
            }

            try
            {
                RunReport report = RunReport.ReadFolder(dir);
                ReportFolder.Write(dir, report);
                RunResult result = report.Result;
                Console.WriteLine($"reports written again in {dir}: {result.Verdict.ToString().ToUpperInvariant()} (exit code {(int)result.ExitCode})");
                return (int)result.ExitCode;
            }
            catch (InvalidDataException e)
            {
                await Console.Error.WriteLineAsync($"probe report: {e.Message}");
                return (int)ExitCode.BadInput;
            }
        });
        return command;
    }

    private static async Task<int> MergeAsync(string runId, string? address, string dir, CancellationToken cancellation)
    {
        if (address is null)
        {
            await Console.Error.WriteLineAsync("probe report: --run-id needs --coordinator postgres://… (or PROBE_COORDINATOR)");
            return (int)ExitCode.BadInput;
        }

        try
        {
            await using ShardCoordinator coordinator = await ShardCoordinator.ConnectAsync(address, cancellation);
            if (await coordinator.RunAsync(runId, cancellation) is not var (count, allowMissing))
            {
                await Console.Error.WriteLineAsync($"probe report: no run '{runId}' in {coordinator.Description}");
                return (int)ExitCode.BadInput;
            }

            IReadOnlyList<ShardRecord> shards = await coordinator.ShardsAsync(runId, cancellation);
            IReadOnlyList<(int Shard, ShardSecond Second)> seconds = await coordinator.SecondsAsync(runId, cancellation);
            string Partial(int shard)
            {
                var sent = seconds.Where(s => s.Shard == shard && s.Second.Step is null).Select(s => s.Second).ToArray();
                return sent.Length == 0 ? "it sent no figures" : $"its {sent.Select(s => s.Second).Distinct().Count()} s of figures ({sent.Sum(s => s.Ok + s.Fail)} iterations) are kept in probe_shard_seconds";
            }

            var missing = Enumerable.Range(0, count)
                .Select(i => (Index: i, Record: shards.FirstOrDefault(s => s.Shard == i)))
                .Where(s => s.Record?.RunData is null)
                .Select(s => s.Record is null
                    ? $"shard {s.Index} of {count} never registered"
                    : $"shard {s.Index} of {count} (host {s.Record.Host}) {(s.Record.StartedAt is null ? "never started" : $"started at {s.Record.StartedAt.Value.UtcDateTime:HH:mm:ss.fff} UTC")} and did not finish: it is missing from the merged figures; {Partial(s.Index)}")
                .ToArray();
            byte[][] data = shards.Where(s => s.RunData is not null).Select(s => s.RunData!).ToArray();
            if (data.Length == 0)
            {
                await Console.Error.WriteLineAsync($"probe report: no shard of run '{runId}' finished: {string.Join("; ", missing)}");
                return (int)ExitCode.Invalid;
            }

            // The suite may accept a few missing shards (sharding.allow_missing_shards): then they are noted, and the others' verdict stands.
            bool tolerated = missing.Length <= allowMissing;
            RunReport[] reports = data.Select((bytes, i) =>
            {
                try
                {
                    return RunReport.Read(bytes);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"the run data of shard {i} cannot be read: {e.Message}", e);
                }
            }).ToArray();
            RunReport report = RunReport.Merge(reports, tolerated ? [] : missing);
            ReportFolder.Write(dir, report);
            RunResult merged = report.Result;
            foreach (string reason in missing)
            {
                Console.WriteLine($"  {(tolerated ? "missing (allowed by the suite)" : "invalid")}: {reason}");
            }

            Console.WriteLine($"merged {data.Length} of {count} shards of run '{runId}' into {Path.Combine(dir, "report.html")}: {merged.Verdict.ToString().ToUpperInvariant()} (exit code {(int)merged.ExitCode})");
            return (int)merged.ExitCode;
        }
        catch (Exception e) when (e is FormatException or NpgsqlException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"probe report: {e.Message}");
            return (int)ExitCode.BadInput;
        }
    }
}
