using System.CommandLine;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;
using Probe.Runner.Synthetics;
using Probe.Scenarios.Binding;

namespace Probe.Runner.Cli;

/// <summary>
/// <c>probe synthetics [SUITE]</c>: the long-running runner. Runs each scheduled scenario from each
/// region, stores every result through a durable spool, serves /metrics, /healthz, /readyz, a status
/// page and a JSON API, reloads the suite on SIGHUP or when the file changes, and stops on
/// SIGINT/SIGTERM (or after <c>--for</c>).
/// </summary>
internal static class SyntheticsCommand
{
    public const string DefaultListen = "127.0.0.1:9464";

    public static Command Create()
    {
        var suite = new Argument<string?>("suite") { Description = "The suite file (default: scenarios.json in the current folder). Scenarios with a \"schedule\" run.", Arity = ArgumentArity.ZeroOrOne };
        var region = new Option<string?>("--region") { Description = "The region this runner is (a label on every result and series). Default: PROBE_REGION, else the suite's regions, else local." };
        var regions = new Option<string?>("--regions") { Description = "Several regions in this one process, comma-separated (local use): us-east,eu-west,ap-south." };
        var store = new Option<string?>("--store") { Description = $"Where results go: {Stores.StoreAddress.Help}. Default: PROBE_STORE, else sqlite:<data>/results.db." };
        var data = new Option<string>("--data") { Description = "Folder for the local spool (and the default SQLite store). One runner per folder.", DefaultValueFactory = _ => "probe-data" };
        var listen = new Option<string>("--listen") { Description = "Serve /metrics, /healthz, /readyz, the status page (/) and /api/ at ADDRESS:PORT.", DefaultValueFactory = _ => DefaultListen };
        var tokenFile = new Option<string?>("--token-file") { Description = "A file holding the bearer token that /metrics, / and /api/ require (/healthz and /readyz stay open)." };
        var scenarios = new Option<string[]>("--scenario", "-s") { Description = "Run only this scheduled scenario (repeatable). Default: all with a schedule.", AllowMultipleArgumentsPerToken = true };
        var targets = new Option<string[]>("--target", "-t") { Description = "Replace a target's URL: NAME=URL (repeatable). PROBE_TARGET_<NAME> does the same." };
        var quorum = new Option<int?>("--quorum") { Description = "N of \"N of M regions\": a check (and an SLO minute) is up when at least N regions succeed. Default: a majority of the regions seen." };
        var simulate = new Option<string[]>("--simulate") { Description = "Degrade a region's network to test alerting: REGION:latency=200ms,loss=20% (repeatable)." };
        var refresh = new Option<string>("--refresh") { Description = "How often SLOs and the status page are recomputed from the store.", DefaultValueFactory = _ => "15s" };
        var readyAfter = new Option<string>("--ready-bound") { Description = "/readyz fails once the store has been unreachable this long (results wait in the spool meanwhile), or the scheduler has slept this long past a due check.", DefaultValueFactory = _ => "60s" };
        var retention = new Option<string>("--retention") { Description = "Delete stored results older than this (checked hourly).", DefaultValueFactory = _ => "90d" };
        var grace = new Option<string>("--shutdown-timeout") { Description = "On stop, running checks get this long to finish, then the spool as long again to reach the store.", DefaultValueFactory = _ => "10s" };
        var logLevel = new Option<string>("--log-level") { Description = "debug, info (every result), warn (failures and problems) or error.", DefaultValueFactory = _ => "info" };
        var runFor = new Option<string?>("--for") { Description = "Stop by itself after this long, such as 10m (default: run until SIGINT/SIGTERM)." };
        var command = new Command("synthetics", "Run scheduled scenarios continuously from one or more regions, store every result, and serve SLIs, a status page and an API.")
        {
            suite, region, regions, store, data, listen, tokenFile, scenarios, targets, quorum, simulate, refresh, readyAfter, retention, grace, logLevel, runFor,
        };
        command.SetAction((parse, cancellation) =>
        {
            var errors = new List<string>();
            TimeSpan Duration(Option<string> option) => ParseDuration(parse.GetValue(option)!, option.Name, errors) ?? TimeSpan.Zero;
            var request = new SyntheticsRequest(
                parse.GetValue(suite),
                parse.GetValue(region) ?? Environment.GetEnvironmentVariable("PROBE_REGION"),
                parse.GetValue(regions),
                parse.GetValue(store) ?? (Environment.GetEnvironmentVariable("PROBE_STORE") is { Length: > 0 } env ? env : null),
                parse.GetValue(data)!,
                parse.GetValue(listen)!,
                parse.GetValue(tokenFile),
                parse.GetValue(scenarios) ?? [],
                parse.GetValue(targets) ?? [],
                parse.GetValue(quorum),
                SimulateOption.Parse(parse.GetValue(simulate) ?? [], errors),
                Duration(refresh),
                Duration(readyAfter),
                Duration(retention),
                Duration(grace),
                ParseLevel(parse.GetValue(logLevel)!, errors),
                parse.GetValue(runFor) is { } f ? ParseDuration(f, "--for", errors) : null);
            if (request.Quorum is < 1)
            {
                errors.Add($"--quorum must be 1 or more, found {request.Quorum}");
            }

            if (errors.Count > 0)
            {
                foreach (string error in errors)
                {
                    Console.Error.WriteLine($"probe synthetics: {error}");
                }

                return Task.FromResult((int)ExitCode.BadInput);
            }

            return SyntheticsHost.RunAsync(request, cancellation);
        });
        return command;
    }

    private static TimeSpan? ParseDuration(string text, string option, List<string> errors)
    {
        if (DurationText.TryParse(text, out TimeSpan value, out string? why) && value > TimeSpan.Zero)
        {
            return value;
        }

        errors.Add($"{option}: {why ?? "must be more than zero"}, found \"{text}\"; write a duration such as 30s, 5m or 90d");
        return null;
    }

    private static SyntheticsLog.LogLevel ParseLevel(string text, List<string> errors)
    {
        if (Enum.TryParse(text, ignoreCase: true, out SyntheticsLog.LogLevel level) && !int.TryParse(text, out _))
        {
            return level;
        }

        errors.Add($"--log-level: expected debug, info, warn or error, found \"{text}\"");
        return SyntheticsLog.LogLevel.Info;
    }
}
