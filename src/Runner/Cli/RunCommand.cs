using System.CommandLine;
using System.Globalization;
using Probe.DemoTarget;
using Probe.Engine.Core;
using Probe.Engine.Running;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;
using Probe.Exporter.Publishing;
using Probe.Exporter.Reports;
using Probe.Runner.Input;
using Probe.Runner.Output;
using Probe.Runner.Sharding;
using Probe.Runner.Serving;
using Probe.Runner.Targets;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.Scenarios.WarmUp;

namespace Probe.Runner.Cli;

/// <summary>
/// <c>probe run [SUITE]</c>: runs scenarios under their load, shows progress, writes the reports and
/// exits with the verdict.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var suite = new Argument<string?>("suite") { Description = "The suite file (default: scenarios.json in the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var scenarios = new Option<string[]>("--scenario", "-s") { Description = "Run only this scenario (repeatable). Default: all.", AllowMultipleArgumentsPerToken = true };
        var targets = new Option<string[]>("--target", "-t") { Description = "Replace a target's URL: NAME=URL (repeatable). PROBE_TARGET_<NAME> in the environment does the same; the option wins." };
        var region = new Option<string>("--region") { Description = "The region this generator runs as (a label in reports). Default: local.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PROBE_REGION") ?? "local" };
        var output = new Option<string?>("--out", "-o") { Description = "Folder for summary.json, report.html, report.md, junit.xml and metrics.prom. Default: results/<UTC timestamp>." };
        var scale = new Option<double>("--duration-scale") { Description = "Multiply every timed load phase by this (0.1 turns a 9 min ramp into 54 s).", DefaultValueFactory = _ => 1.0 };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the verdict line." };
        var json = new Option<bool>("--json") { Description = "Print summary.json to standard output instead of the text summary." };
        var metricsListen = new Option<string?>("--metrics-listen") { Description = "Serve the run's live figures at http://ADDRESS:PORT/metrics while it runs, such as 127.0.0.1:9464 (loopback by default)." };
        var metricsToken = new Option<string?>("--metrics-token-file") { Description = "A file holding the bearer token that /metrics requires." };
        var push = new Option<string?>("--push") { Description = "Push the run's metrics (probe_gate_verdict, thresholds, figures) to this Prometheus Pushgateway, such as http://127.0.0.1:9091; checked before the run." };
        var shard = new Option<string?>("--shard") { Description = "Run as shard i of N (i from 0, as a Kubernetes Indexed Job's completion index), such as 0/4: this process makes its share of every load; needs --coordinator and --run-id." };
        var coordinator = new Option<string?>("--coordinator") { Description = "PostgreSQL that coordinates a sharded run (start barrier, results): postgres://user:password@host:5432/db; PROBE_COORDINATOR in the environment." };
        var runId = new Option<string?>("--run-id") { Description = "The sharded run's id, the same for every shard (and for 'probe report --run-id')." };
        var barrierTimeout = new Option<string>("--barrier-timeout") { Description = "How long shards wait at the start barrier for the others.", DefaultValueFactory = _ => "60s" };
        var otlp = new Option<string?>("--otlp") { Description = "Also send the gate verdict, thresholds and figures to this OpenTelemetry collector over OTLP/HTTP at the end, such as http://127.0.0.1:4318." };
        var vus = new Option<int?>("--vus", "-u") { Description = "Run every scenario with this many copies (k6's --vus), with --duration or --iterations." };
        var duration = new Option<string?>("--duration", "-d") { Description = "With --vus: run every scenario for this long at that many copies, such as 30s (k6's constant-vus)." };
        var iterations = new Option<long?>("--iterations", "-i") { Description = "Run every scenario for this many iterations in all, shared by --vus copies (default 1; k6's shared-iterations)." };
        var format = new Option<string>("--format") { Description = $"The files to write, comma-separated: {string.Join(", ", ReportFormats.Names)} (stats.csv and timeline.csv) or all.", DefaultValueFactory = _ => "all" };
        var control = new Option<string?>("--control") { Description = "Accept load changes while the run runs at http://ADDRESS:PORT/load, such as 127.0.0.1:6565 ('probe control' sends them): the copies of a scenario in a closed phase or the rate of one in an open phase. Every change is in the reports." };
        var controlToken = new Option<string?>("--control-token-file") { Description = "A file holding the bearer token that --control requires." };
        var baseline = new Option<string?>("--baseline", "-b") { Description = "Compare with an earlier run (its summary.json or its folder): each scenario's 'baseline' rules, by default p95 <= baseline +10%." };
        var command = new Command("run", "Run the suite's scenarios under their load, show progress, write reports and exit with the verdict.")
        {
            suite, scenarios, targets, region, output, format, scale, vus, duration, iterations, quiet, json, baseline, push, metricsListen, metricsToken, control, controlToken, shard, coordinator, runId, barrierTimeout, otlp,
        };
        command.SetAction((parse, cancellation) => RunAsync(new RunRequest(
            parse.GetValue(suite),
            parse.GetValue(scenarios) ?? [],
            parse.GetValue(targets) ?? [],
            parse.GetValue(region)!,
            parse.GetValue(output),
            parse.GetValue(scale),
            parse.GetValue(quiet),
            parse.GetValue(json),
            parse.GetValue(baseline),
            parse.GetValue(push),
            parse.GetValue(metricsListen),
            parse.GetValue(metricsToken),
            parse.GetValue(shard),
            parse.GetValue(coordinator) ?? Environment.GetEnvironmentVariable("PROBE_COORDINATOR"),
            parse.GetValue(runId),
            parse.GetValue(barrierTimeout)!,
            parse.GetValue(otlp))
        {
            Vus = parse.GetValue(vus),
            Duration = parse.GetValue(duration),
            Iterations = parse.GetValue(iterations),
            Format = parse.GetValue(format)!,
            Control = parse.GetValue(control),
            ControlTokenFile = parse.GetValue(controlToken),
        }, cancellation));
        return command;
    }

    /// <summary>Read by .NET's socket engine when it first starts (environment only, no runtime setting).</summary>
    private const string InlineSocketCompletions = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    private static async Task<int> RunAsync(RunRequest request, CancellationToken cancellation)
    {
        // Socket completions run on the socket engine's own thread instead of hopping to the thread
        // pool: a load generator's continuations are short and never block, and on this 2-core machine
        // the hop cost more than the request (Probe at 50 connections: 57,000 → 109,000 requests/s,
        // 18 → 9.5 µs of CPU per request; bench/README.md "Peers"). Set it to 0 to turn it off.
        if (Environment.GetEnvironmentVariable(InlineSocketCompletions) is null)
        {
            Environment.SetEnvironmentVariable(InlineSocketCompletions, "1");
        }

        TextWriter log = request.Json ? Console.Error : Console.Out;
        if (ServingInput.NameProblem(request.Region) is { } regionProblem)
        {
            await Console.Error.WriteLineAsync($"probe: --region {regionProblem}");
            return (int)ExitCode.BadInput;
        }

        if (K6Flags.OutProblem(request.Out) is { } outProblem)
        {
            await Console.Error.WriteLineAsync($"probe: {outProblem}");
            return (int)ExitCode.BadInput;
        }

        IReadOnlyList<ReportFormat> formats;
        try
        {
            // --json prints summary.json, so it is written whatever --format says.
            formats = ReportFormats.Select(request.Json ? $"{request.Format},json" : request.Format);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"probe: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        Dictionary<string, string>? overrides = SuiteInput.Targets(request.Targets, Console.Error);
        SuiteDefinition? suite = overrides is null ? null : SuiteInput.Load(request.Suite, overrides, Console.Error);
        if (suite is null)
        {
            return (int)ExitCode.BadInput;
        }

        suite = K6Flags.Apply(suite, request.Vus, request.Duration, request.Iterations, out string? flagProblem);
        if (suite is null)
        {
            await Console.Error.WriteLineAsync($"probe: {flagProblem}");
            return (int)ExitCode.BadInput;
        }

        IReadOnlyDictionary<string, BaselineFigures>? baseline = null;
        try
        {
            baseline = request.Baseline is null ? null : SummaryReader.ReadBaseline(request.Baseline);
        }
        catch (InvalidDataException e)
        {
            await Console.Error.WriteLineAsync($"probe: --baseline: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        Uri? pushUrl = null;
        if (request.Push is not null && (!Uri.TryCreate(request.Push, UriKind.Absolute, out pushUrl) || pushUrl.Scheme is not ("http" or "https")))
        {
            await Console.Error.WriteLineAsync($"probe: --push takes the Pushgateway's URL, such as http://127.0.0.1:9091; found '{request.Push}'");
            return (int)ExitCode.BadInput;
        }

        if (request.Otlp is not null && !(Uri.TryCreate(request.Otlp, UriKind.Absolute, out Uri? otlpUrl) && otlpUrl.Scheme is "http" or "https"))
        {
            await Console.Error.WriteLineAsync($"probe: --otlp takes the collector's OTLP/HTTP base URL, such as http://127.0.0.1:4318; found '{request.Otlp}'");
            return (int)ExitCode.BadInput;
        }

        using PushgatewayClient? pushgateway = pushUrl is null ? null : new PushgatewayClient(pushUrl, TimeSpan.FromSeconds(10));
        if (pushgateway is not null && await pushgateway.WhyNotReadyAsync(cancellation) is { } notReady)
        {
            await Console.Error.WriteLineAsync($"probe: --push: {notReady}; nothing was run");
            return (int)ExitCode.BadInput;
        }

        ShardIdentity? shardIdentity = ShardIdentity.Whole;
        TimeSpan barrier = TimeSpan.Zero;
        if (ShardInput.Check(request.Shard, request.Coordinator, request.RunId, request.BarrierTimeout, out shardIdentity, out barrier) is { } shardError)
        {
            await Console.Error.WriteLineAsync($"probe: {shardError}");
            return (int)ExitCode.BadInput;
        }

        if (request.Control is not null && request.Shard is not null)
        {
            await Console.Error.WriteLineAsync("probe: --control changes one process's load; a sharded run has one per shard: leave out --control, or run unsharded");
            return (int)ExitCode.BadInput;
        }

        BoundSuite bound;
        try
        {
            bound = SuiteBinder.Bind(suite, new BindOptions { Scenarios = request.Scenarios, DurationScale = request.DurationScale, Shard = shardIdentity!, Screenshots = request.Out is { } outFolder ? Path.Combine(outFolder, "screenshots") : null });
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"probe: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
            return (int)ExitCode.BadInput;
        }

        using (bound)
        {
            var used = suite.Scenarios.Where(s => bound.Scenarios.Any(b => b.Name == s.Name)).SelectMany(UsedTargets);
            IReadOnlyList<DemoTargetHost> demos;
            try
            {
                demos = await DemoTargets.StartWhereNeededAsync(suite, used, request.Quiet ? TextWriter.Null : log, cancellation);
            }
            catch (Exception e) when (e is IOException or FormatException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"probe: could not start the demo target: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
                return (int)ExitCode.BadInput;
            }

            try
            {
                if (request.Shard is null)
                {
                    return await RunBoundAsync(request, formats, suite, bound, baseline, pushgateway, null, log, cancellation);
                }

                await using ShardSession? session = await ShardInput.JoinAsync(request.Coordinator!, shardIdentity!, request.RunId!, suite.AllowMissingShards, Console.Error, cancellation);
                if (session is null)
                {
                    return (int)ExitCode.BadInput;
                }

                try
                {
                    DateTimeOffset started = await session.StartTogetherAsync(barrier, cancellation);
                    log.WriteLine($"shard {session.Shard} of run '{session.RunId}' started at {started.UtcDateTime:HH:mm:ss.fff} UTC with every other shard");
                }
                catch (TimeoutException e)
                {
                    await Console.Error.WriteLineAsync($"probe: {e.Message}");
                    return (int)ExitCode.Invalid;
                }

                return await RunBoundAsync(request, formats, suite, bound, baseline, pushgateway, session, log, cancellation);
            }
            finally
            {
                foreach (DemoTargetHost demo in demos)
                {
                    await demo.DisposeAsync();
                }
            }
        }
    }

    private static async Task<int> RunBoundAsync(RunRequest request, IReadOnlyList<ReportFormat> formats, SuiteDefinition suite, BoundSuite bound, IReadOnlyDictionary<string, BaselineFigures>? baseline, PushgatewayClient? pushgateway, ShardSession? shard, TextWriter log, CancellationToken cancellation)
    {
        if (!request.Quiet)
        {
            log.WriteLine($"running {string.Join(", ", bound.Scenarios.Select(s => s.Name))} from {suite.File}{(request.DurationScale == 1 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (durations × {request.DurationScale})"))}");
        }

        // The output folder is made before the run, so that a folder that cannot be written is bad input, not a lost run.
        string folder = request.Out ?? Path.Combine("results", TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"probe: cannot write reports to {folder}: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        // A live table on a terminal; plain lines (every 10 s) in CI logs and files.
        bool live = !request.Quiet && !request.Json && !Console.IsOutputRedirected;
        var table = new LiveProgress();
        var lines = new ProgressPrinter(log, Console.IsOutputRedirected ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(1));
        Action<RunProgress>? onProgress = request.Quiet ? null : live ? table.OnProgress : lines.OnProgress;
        MetricsServer? metrics;
        try
        {
            metrics = await RunServing.StartMetricsAsync(request.MetricsListen, request.MetricsTokenFile, suite.Name, log, cancellation);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            await Console.Error.WriteLineAsync($"probe: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        await using MetricsServer? served = metrics;
        LoadControl? control = request.Control is null ? null : new LoadControl();
        ControlServer? controlServer;
        try
        {
            controlServer = control is null ? null : await RunServing.StartControlAsync(request.Control!, request.ControlTokenFile, control, log, cancellation);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            await Console.Error.WriteLineAsync($"probe: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        await using ControlServer? controlled = controlServer;
        if (metrics is not null)
        {
            // First, so the series are fresh by the time a progress line is printed.
            onProgress = new LiveRunMetrics(metrics.Registry, suite.Name, request.Region).OnProgress + onProgress;
        }

        // A shard streams its seconds to the coordinator and stops when the merged figures abort the whole run.
        await using ShardStream? stream = shard is null ? null : new ShardStream(shard, AbortThresholds(bound), TimeProvider.System);
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellation, stream?.Abort.Token ?? CancellationToken.None);
        IReadOnlyList<ScenarioDefinition> scenarios = stream is null ? bound.Scenarios : bound.Scenarios.Select(s => s.WithAbortsDeferred()).ToArray();
        onProgress += stream is null ? null : stream.OnProgress;
        // Probe's own request path is compiled against a canned loopback server first, so a short run
        // is not stalled by it (the target receives nothing from the warm-up); where .NET compiles
        // quickly first (the Release build), until its hot code has been recompiled too.
        bool untilCompiled = Tiering.QuickCompilation;
        await CodePathWarmUp.RunAsync(suite, bound.Scenarios.Select(s => s.Name).ToArray(), TimeSpan.FromSeconds(10), untilCompiled, cancellation);
        Task<RunResult> Run() => LoadRunner.RunAsync(scenarios, new RunOptions { OnProgress = onProgress, Control = control, WarmUntilCompiled = untilCompiled }, abort.Token);
        RunResult result = live ? await table.ShowWhileAsync(Run) : await Run();
        if (stream is not null)
        {
            await stream.FlushAsync(result, cancellation);
            result = stream.AbortReason is { } merged ? result with { AbortReason = merged } : result;
        }

        if (baseline is not null)
        {
            result = result with { Thresholds = [.. result.Thresholds, .. CompareWithBaseline(suite, result, baseline)] };
        }

        var info = new RunInfo(suite.Name, suite.File, request.Region, Environment.MachineName, GitCommit.Find(Path.GetDirectoryName(Path.GetFullPath(suite.File))!), typeof(RunCommand).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
        ReportFolder.Write(folder, new RunReport(info, result)
        {
            Checks = bound.Checks.Reports(),
            Rag = bound.Rag.Reports(),
            LatencyBuckets = suite.Slos.Where(s => s.LatencyThreshold is not null).Select(s => s.LatencyThreshold!.Value.TotalSeconds).ToArray(),
            Targets = suite.Scenarios.ToDictionary(s => s.Name, s => s.Target, StringComparer.Ordinal),
        }, formats);
        if (request.Json)
        {
            await using Stream stdout = Console.OpenStandardOutput();
            await using FileStream summary = File.OpenRead(Path.Combine(folder, "summary.json"));
            await summary.CopyToAsync(stdout, cancellation);
        }
        else if (!request.Quiet)
        {
            RunSummaryText.Write(log, result);
            string[] files = formats.Where(f => f.Name != "run").Select(f => f.FileName).OrderBy(f => f == "report.html" ? 0 : 1).ToArray();
            log.WriteLine(files.Length == 0 ? $"run: {Path.Combine(folder, RunDataJson.FileName)}"
                : $"reports: {Path.Combine(folder, files[0])}{(files.Length > 1 ? $" (also {string.Join(", ", files.Skip(1))})" : string.Empty)}");
        }

        if (pushgateway is not null)
        {
            string? failed = await pushgateway.PushAsync(suite.Name, info.Host, await File.ReadAllTextAsync(Path.Combine(folder, "metrics.prom"), cancellation), cancellation);
            if (failed is not null)
            {
                // The run and its reports stand; the lost push is said loudly, and the verdict's exit code kept.
                await Console.Error.WriteLineAsync($"probe: --push: {failed}");
            }
            else if (!request.Quiet)
            {
                log.WriteLine($"pushed the run's metrics to {request.Push}");
            }
        }

        if (request.Otlp is not null && Publishing.OtlpPublisher.Publish(new Uri(request.Otlp.TrimEnd('/') + "/"), info, result, TimeSpan.FromSeconds(10)) is { } otlpFailed)
        {
            // As with --push: the run and its reports stand, the lost export is said loudly.
            await Console.Error.WriteLineAsync($"probe: --otlp: {otlpFailed}");
        }
        else if (request.Otlp is not null && !request.Quiet)
        {
            log.WriteLine($"sent the run's metrics over OTLP to {request.Otlp}");
        }

        if (shard is not null)
        {
            await shard.FinishAsync((int)result.ExitCode, await File.ReadAllBytesAsync(Path.Combine(folder, RunDataJson.FileName), cancellation), cancellation);
            log.WriteLine($"shard {shard.Shard}: run data stored for 'probe report --run-id {shard.RunId}'");
        }

        log.WriteLine(RunSummaryText.VerdictLine(result));
        return (int)result.ExitCode;
    }

    private static Dictionary<string, IReadOnlyList<ThresholdSpec>> AbortThresholds(BoundSuite bound) =>
        bound.Scenarios.Where(s => s.Thresholds.Any(t => t.AbortOnFail))
            .ToDictionary(s => s.Name, s => (IReadOnlyList<ThresholdSpec>)s.Thresholds.Where(t => t.AbortOnFail).ToArray(), StringComparer.Ordinal);

    private static IEnumerable<ThresholdResult> CompareWithBaseline(SuiteDefinition suite, RunResult result, IReadOnlyDictionary<string, BaselineFigures> baseline) =>
        from snapshot in result.Scenarios
        let rules = suite.Scenario(snapshot.Name)!.Baseline is { Count: > 0 } own ? own : [BaselineRule.Default]
        from rule in rules
        select BaselineComparer.Compare(snapshot.Name, rule, snapshot.Iterations, baseline.GetValueOrDefault(snapshot.Name));

    private static IEnumerable<string> UsedTargets(ScenarioSpec s) =>
        s.Steps.SelectMany(step => step.TargetsUsed(s.Target)).Append(s.Target);

    private sealed record RunRequest(string? Suite, string[] Scenarios, string[] Targets, string Region, string? Out, double DurationScale, bool Quiet, bool Json, string? Baseline, string? Push, string? MetricsListen, string? MetricsTokenFile, string? Shard, string? Coordinator, string? RunId, string BarrierTimeout, string? Otlp)
    {
        public int? Vus { get; init; }

        public string? Duration { get; init; }

        public long? Iterations { get; init; }

        public string Format { get; init; } = "all";

        public string? Control { get; init; }

        public string? ControlTokenFile { get; init; }
    }
}
