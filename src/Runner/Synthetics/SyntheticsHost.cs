using System.Runtime.InteropServices;
using Probe.DemoTarget;
using Probe.Engine.Verdicts;
using Probe.Exporter.Prometheus;
using Probe.Runner.Input;
using Probe.Runner.Serving;
using Probe.Runner.Stores;
using Probe.Runner.Targets;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Synthetics;

/// <summary>
/// Puts <c>probe synthetics</c> together: checks the input (exit 2 with every problem named), opens the
/// store and the spool, starts the demo target where the suite wants it, the runner and its server,
/// reloads on SIGHUP or a changed file, and shuts down in order on SIGINT/SIGTERM or after <c>--for</c>.
/// </summary>
internal static class SyntheticsHost
{
    private static readonly TimeSpan FilePoll = TimeSpan.FromSeconds(2);

    public static async Task<int> RunAsync(SyntheticsRequest request, CancellationToken cancellation)
    {
        TimeProvider time = TimeProvider.System;
        var log = new SyntheticsLog(Console.Out, time, request.LogLevel);
        Dictionary<string, string>? overrides = SuiteInput.Targets(request.Targets, Console.Error);
        SuiteDefinition? suite = overrides is null ? null : SuiteInput.Load(request.Suite, overrides, Console.Error);
        if (suite is null || overrides is null)
        {
            return (int)ExitCode.BadInput;
        }

        string[] regions = Regions(request, suite);
        var problems = Check(request, suite, regions).ToList();
        System.Net.IPEndPoint? endpoint = null;
        string? token = null;
        try
        {
            endpoint = ServingInput.Listen(request.Listen, "--listen");
            token = await ServingInput.TokenAsync(request.TokenFile, "--token-file", cancellation);
        }
        catch (ArgumentException e)
        {
            problems.Add(e.Message);
        }

        if (ServingInput.DataFolderProblem(request.Data) is { } dataProblem)
        {
            problems.Add($"--data: {dataProblem}");
        }

        string address = request.Store ?? "sqlite:" + Path.Combine(request.Data, "results.db");
        IResultStore? store = null;
        try
        {
            store = StoreAddress.Open(address);
        }
        catch (FormatException e)
        {
            problems.Add($"--store: {e.Message}");
        }

        if (problems.Count > 0 || store is null || endpoint is null)
        {
            foreach (string problem in problems)
            {
                await Console.Error.WriteLineAsync($"probe synthetics: {problem}");
            }

            return (int)ExitCode.BadInput;
        }

        await using (store)
        {
            // A store that is down at start is an outage, not bad input: the runner starts, spools, and
            // stores what it spooled once the store answers (a pod restarted during a database incident
            // keeps monitoring). A store that refuses the configuration is bad input.
            Exception? storeDown = null;
            try
            {
                await store.MigrateAsync(cancellation);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                if (store.Classify(e) == StoreFault.Configuration)
                {
                    await Console.Error.WriteLineAsync($"probe synthetics: the store {store.Description} refuses this configuration: {e.Message}; fix --store / PROBE_STORE");
                    return (int)ExitCode.BadInput;
                }

                storeDown = e;
            }

            ResultSpool spool;
            try
            {
                spool = ResultSpool.Open(Path.Combine(request.Data, "spool"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"probe synthetics: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            using (spool)
            {
                if (storeDown is not null)
                {
                    log.Warn("store_unavailable_at_start", ("store", store.Description), ("error", storeDown.Message), ("spool_depth", spool.Depth), ("note", "checks run and results wait in the spool until the store answers"));
                }

                return await ServeAsync(request, suite, overrides, regions, endpoint, token, store, spool, storeDown, log, time, cancellation);
            }
        }
    }

    private static async Task<int> ServeAsync(SyntheticsRequest request, SuiteDefinition suite, Dictionary<string, string> overrides, string[] regions, System.Net.IPEndPoint endpoint, string? token, IResultStore store, ResultSpool spool, Exception? storeDown, SyntheticsLog log, TimeProvider time, CancellationToken cancellation)
    {
        var options = new SyntheticsOptions
        {
            Regions = regions,
            Scenarios = request.Scenarios,
            Network = request.Network,
            Time = time,
            Quorum = request.Quorum,
            Refresh = request.Refresh,
            ReadyBound = request.ReadyBound,
            ShutdownGrace = request.ShutdownGrace,
            Retention = request.Retention,
            Data = request.Data,
            StoreDownAtStart = storeDown,
        };
        var metrics = new SyntheticsMetrics(new MetricRegistry(), suite.Name, suite.Slos.Where(s => s.LatencyThreshold is not null).Select(s => s.LatencyThreshold!.Value.TotalSeconds));
        IReadOnlyList<DemoTargetHost> demos = await DemoTargets.StartWhereNeededAsync(suite, suite.Scenarios.Where(s => s.Schedule is not null).Select(s => s.Target), TextWriter.Null, cancellation);
        await using var runner = new SyntheticsRunner(options, store, spool, log, metrics);
        try
        {
            // Listening comes first: an address that is taken or not this machine's is bad input, before any check runs.
            MetricsServer listening;
            try
            {
                listening = await MetricsServer.StartAsync(metrics.Registry, endpoint, token, SyntheticsEndpoints.Map(runner, token, request.Refresh), cancellation);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                await Console.Error.WriteLineAsync($"probe synthetics: --listen {endpoint}: cannot listen there ({e.Message}); give a free port of an address of this machine, such as 127.0.0.1:9464 or 0.0.0.0:9464");
                return (int)ExitCode.BadInput;
            }

            await using MetricsServer server = listening;
            try
            {
                await runner.ApplyAsync(suite, cancellation);
            }
            catch (InvalidOperationException e)
            {
                await Console.Error.WriteLineAsync($"probe synthetics: {e.Message}");
                return (int)ExitCode.BadInput;
            }

            log.Info("started", ("suite", suite.Name), ("file", Path.GetFullPath(suite.File)), ("regions", regions), ("store", store.Description), ("spool", Path.GetFullPath(spool.Folder)), ("spool_depth", spool.Depth),
                ("status_page", server.Address.ToString()), ("metrics", server.Address + "metrics"), ("demo_targets", demos.Count));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            if (request.RunFor is { } runFor)
            {
                stop.CancelAfter(runFor);
            }

            var reloader = new Reloader(suite.File, overrides, runner, log, regions);
            using PosixSignalRegistration? hangup = HangupSignal.Register(context =>
            {
                context.Cancel = true;
                reloader.Request("SIGHUP", stop.Token);
            });
            Task watching = reloader.WatchAsync(FilePoll, time, stop.Token);
            await runner.RunAsync(stop.Token);
            await watching;
            long left = await runner.StopAsync();
            log.Info("stopped", ("spool_depth", left), ("note", left == 0 ? "every result is in the store" : "results left in the spool go to the store on the next start"));
            return (int)ExitCode.Passed;
        }
        finally
        {
            foreach (DemoTargetHost demo in demos)
            {
                await demo.DisposeAsync();
            }
        }
    }

    /// <summary>--regions, else --region (or PROBE_REGION), else the suite's regions, else "local".</summary>
    private static string[] Regions(SyntheticsRequest request, SuiteDefinition suite) =>
        request.Regions is { } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray()
        : request.Region is { Length: > 0 } one ? [one]
        : suite.Regions.Count > 0 ? [.. suite.Regions]
        : ["local"];

    private static IEnumerable<string> Check(SyntheticsRequest request, SuiteDefinition suite, string[] regions)
    {
        string[] scheduled = suite.Scenarios.Where(s => s.Schedule is not null).Select(s => s.Name).ToArray();
        if (scheduled.Length == 0)
        {
            yield return $"no scenario in {suite.File} has a schedule; add one such as \"schedule\": {{ \"every\": \"30s\", \"jitter\": \"3s\" }}";
        }

        foreach (string name in request.Scenarios.Where(n => !scheduled.Contains(n)))
        {
            yield return suite.Scenario(name) is null
                ? $"--scenario: no scenario '{name}' in {suite.File}{DidYouMean(name, suite.Scenarios.Select(s => s.Name))}"
                : $"--scenario: scenario '{name}' has no schedule; scheduled: {string.Join(", ", scheduled)}";
        }

        if (regions.Length == 0)
        {
            yield return "--regions names no region; write --regions us-east,eu-west";
        }

        if (request.Region is { } given && ServingInput.NameProblem(given) is { } problem)
        {
            yield return $"--region {problem}";
        }

        foreach (string region in regions.Select(r => (Region: r, Problem: ServingInput.NameProblem(r))).Where(r => r.Problem is not null).Select(r => $"--regions: '{r.Region}' {r.Problem}"))
        {
            yield return region;
        }

        foreach (string region in regions.Where(r => suite.Regions.Count > 0 && !suite.Regions.Contains(r)))
        {
            yield return $"region '{region}' is not in the suite's regions{DidYouMean(region, suite.Regions)}; regions: {string.Join(", ", suite.Regions)} (add it to \"regions\" in {suite.File})";
        }

        foreach (string region in request.Network.Keys.Where(r => !regions.Contains(r)))
        {
            yield return $"--simulate: region '{region}' is not one this runner serves ({string.Join(", ", regions)})";
        }
    }

    private static string DidYouMean(string word, IEnumerable<string> names) => Engine.Text.DidYouMean.Hint(word, names);
}
