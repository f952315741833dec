using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics.Scheduling;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Suite;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// The long-running runner: binds the suite once per region, runs each scheduled scenario on its
/// schedule, hands every result to the spool-then-store pipeline, keeps the metrics and the
/// cross-region view fresh, takes a new suite on reload (or keeps the old one when the new one does
/// not bind), and shuts down within a bound.
/// </summary>
internal sealed class SyntheticsRunner : IAsyncDisposable
{
    private readonly SyntheticsOptions _options;
    private readonly IResultStore _store;
    private readonly SyntheticsLog _log;
    private readonly SyntheticsMetrics _metrics;
    private readonly ResultPipeline _pipeline;
    private readonly SyntheticScheduler _scheduler;
    private readonly SloViews _views;
    private volatile Dictionary<string, RegionRuntime> _regions = [];
    private volatile SuiteDefinition? _suite;
    private volatile StatusSnapshot _status;
    private DateTimeOffset _lastRetention = DateTimeOffset.MinValue;

    public SyntheticsRunner(SyntheticsOptions options, IResultStore store, ResultSpool spool, SyntheticsLog log, SyntheticsMetrics metrics)
    {
        _options = options;
        _store = store;
        _log = log;
        _metrics = metrics;
        _pipeline = new ResultPipeline(spool, store, new DeadLetters(options.Data ?? spool.Folder, options.Time), options.Time, log, migrated: options.StoreDownAtStart is null);
        if (options.StoreDownAtStart is { } down)
        {
            _pipeline.StoreDown(down);
        }

        _pipeline.Spooled += LogResult;
        _pipeline.Quarantined += (_, _) => _metrics.Quarantined.WithLabels().Increment();
        _scheduler = new SyntheticScheduler(options.Time, options.Random, RunCheckAsync);
        _views = new SloViews(store, metrics, options.Time, options.Quorum);
        _status = StatusSnapshot.Empty(metrics.Suite, store.Description, options.Regions);
    }

    public StatusSnapshot Status => _status;

    public ResultPipeline Pipeline => _pipeline;

    public SyntheticScheduler Scheduler => _scheduler;

    public IResultStore Store => _store;

    /// <summary>
    /// Ready while checks start on time and their results can be made durable and moved on: the scheduler
    /// is not behind by the bound, the spool is writable, its drain runs, and the store has not been
    /// unreachable past the bound (the spool absorbs shorter outages, and a start during one).
    /// </summary>
    public bool Ready => _scheduler.Behind < _options.ReadyBound && _pipeline.SpoolWritable && _pipeline.DrainAlive
        && (_pipeline.StoreFailingFor is not { } failing || failing < _options.ReadyBound);

    /// <summary>Binds <paramref name="suite"/> for every region and schedules it, replacing what ran before.</summary>
    /// <exception cref="InvalidOperationException">A secret is missing or the suite does not bind; what ran before keeps running.</exception>
    public async Task ApplyAsync(SuiteDefinition suite, CancellationToken cancellation) => Use(suite, await BindAsync(suite, cancellation));

    /// <summary>Binds <paramref name="suite"/> for every region: the step that may refuse a suite, with nothing changed yet.</summary>
    /// <exception cref="InvalidOperationException">A secret is missing or the suite does not bind.</exception>
    public async Task<IReadOnlyDictionary<string, RegionRuntime>> BindAsync(SuiteDefinition suite, CancellationToken cancellation)
    {
        string[] scenarios = Scheduled(suite).ToArray();
        var fresh = new Dictionary<string, RegionRuntime>(StringComparer.Ordinal);
        try
        {
            foreach (string region in _options.Regions)
            {
                var bind = new BindOptions
                {
                    Time = _options.Time,
                    Network = _options.Network.GetValueOrDefault(region, NetworkConditions.None),
                    Facts = _metrics.FactsFor(region),
                    Screenshots = Path.Combine(_options.Data ?? "probe-data", "screenshots"),
                };
                string[] here = scenarios.Where(s => suite.Scenario(s)!.Regions is not { Count: > 0 } only || only.Contains(region)).ToArray();
                fresh[region] = await RegionRuntime.StartAsync(suite, region, here, bind, line => _log.Info("scenario_log", ("region", region), ("message", line)), cancellation);
            }
        }
        catch
        {
            foreach (RegionRuntime runtime in fresh.Values)
            {
                await runtime.DisposeAsync();
            }

            throw;
        }

        return fresh;
    }

    /// <summary>
    /// Schedules a suite bound by <see cref="BindAsync"/> in place of what ran before. Nothing here refuses a
    /// suite: what it throws is Probe's own fault, not the file's, and must not be told as a rejected edit.
    /// </summary>
    public void Use(SuiteDefinition suite, IReadOnlyDictionary<string, RegionRuntime> bound)
    {
        var fresh = new Dictionary<string, RegionRuntime>(bound, StringComparer.Ordinal);
        Dictionary<string, RegionRuntime> old = _regions;
        _suite = suite;
        _regions = fresh;
        _scheduler.Set(fresh.Values.SelectMany(r => Scheduled(suite)
            .Where(r.Has)
            .Select(s => new ScheduledScenario(r.Region, s, ScenarioSchedule.From(suite.Scenario(s)!.Schedule!)))));
        foreach (string region in _options.Regions)
        {
            _metrics.RunnerUp(region, up: true);
        }

        PruneSeries();
        _log.Info("suite_applied", ("suite", suite.Name), ("file", suite.File), ("regions", _options.Regions), ("scenarios", Scheduled(suite).ToArray()));
        _ = RetireAsync(old.Values);
    }

    /// <summary>Schedules until <paramref name="stop"/>, refreshing the views and applying retention as it goes.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        Task scheduling = _scheduler.RunAsync(stop);
        using var timer = new PeriodicTimer(_options.Refresh, _options.Time);
        try
        {
            await RefreshAsync(stop);
            while (await timer.WaitForNextTickAsync(stop))
            {
                await RefreshAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }

        await scheduling;
    }

    /// <summary>Lets running checks finish (cancelling them after the grace), then drains the spool for as long again.</summary>
    /// <returns>Results still in the spool: they go to the store on the next start.</returns>
    public async Task<long> StopAsync()
    {
        await _scheduler.DrainAsync(_options.ShutdownGrace);
        foreach (string region in _options.Regions)
        {
            _metrics.RunnerUp(region, up: false);
        }

        return await _pipeline.FlushAsync(_options.ShutdownGrace);
    }

    /// <summary>Recomputes the SLO gauges and the status snapshot from the store now.</summary>
    public async Task RefreshAsync(CancellationToken cancellation)
    {
        _metrics.SpoolDepth.WithLabels().Set(_pipeline.SpoolDepth);
        _metrics.StoreUp.WithLabels().Set(_pipeline.StoreFailingFor is null ? 1 : 0);
        _metrics.SpoolWritable.WithLabels().Set(_pipeline.SpoolWritable ? 1 : 0);
        _metrics.DrainUp.WithLabels().Set(_pipeline.DrainAlive ? 1 : 0);
        _metrics.SchedulerBehind.WithLabels().Set(_scheduler.Behind.TotalSeconds);
        _metrics.Missed.WithLabels().Add(_scheduler.Counters.Missed - _metrics.Missed.WithLabels().Value);
        _metrics.OverlapSkipped.WithLabels().Add(_scheduler.Counters.OverlapSkipped - _metrics.OverlapSkipped.WithLabels().Value);
        if (_suite is not { } suite)
        {
            return;
        }

        _metrics.Maintenance(suite, _options.Time.GetUtcNow());
        try
        {
            _status = await _views.RefreshAsync(suite, _options.Regions, cancellation);
            DateTimeOffset now = _options.Time.GetUtcNow();
            if (now - _lastRetention >= TimeSpan.FromHours(1))
            {
                _lastRetention = now;
                long deleted = await _store.DeleteBeforeAsync(now - _options.Retention, cancellation);
                if (deleted > 0)
                {
                    _log.Info("retention", ("deleted", deleted), ("older_than", now - _options.Retention));
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            _status = _status with { At = _options.Time.GetUtcNow(), Error = $"the store did not answer: {e.Message}" };
        }

        _status = _status with { Maintenance = MaintenanceStatus.Of(suite, _options.Time.GetUtcNow()) };

        if (!ReferenceEquals(suite, _suite))
        {
            PruneSeries(); // a reload came during this refresh, which may have set the old suite's SLO series again
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _pipeline.DisposeAsync();
        foreach (RegionRuntime runtime in _regions.Values)
        {
            await runtime.DisposeAsync();
        }
    }

    private IEnumerable<string> Scheduled(SuiteDefinition suite) => suite.Scenarios
        .Where(s => s.Schedule is not null && (_options.Scenarios.Count == 0 || _options.Scenarios.Contains(s.Name)))
        .Select(s => s.Name);

    private async Task<bool> RunCheckAsync(ScheduledScenario check, bool recheck, CancellationToken cancellation)
    {
        if (!_regions.TryGetValue(check.Region, out RegionRuntime? runtime) || !runtime.Has(check.Scenario))
        {
            return true;
        }

        IterationOutcome outcome;
        try
        {
            outcome = await runtime.RunAsync(check.Scenario, cancellation);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Probe's own fault, not the target's: logged, not stored as a result (it would count against the SLO).
            _log.Error("check_error", ("scenario", check.Scenario), ("region", check.Region), ("error", e.Message));
            throw;
        }

        SuiteDefinition suite = runtime.Suite;
        StepResult r = outcome.Result;
        var result = new SyntheticResult(
            Guid.CreateVersion7(outcome.StartedAt),
            suite.Name,
            check.Scenario,
            check.Region,
            suite.Scenario(check.Scenario)!.Target,
            outcome.StartedAt,
            outcome.Duration,
            r.IsOk,
            r.IsOk ? null : r.Reason.Label(),
            r.Message,
            r.StatusCode != 0 ? r.StatusCode : outcome.Steps.Select(s => s.Result.StatusCode).LastOrDefault(c => c != 0),
            outcome.Steps.Select(s => new StepRecord(s.Step, s.Result.IsOk, s.Result.IsOk ? null : s.Result.Reason.Label(), s.Duration, s.Result.StatusCode, s.Result.Message)).ToArray(),
            recheck)
        {
            Llm = outcome.Steps.Select(s => s.Result.Tokens).FirstOrDefault(t => t is not null) is { } tokens ? LlmOutcome.Of(tokens) : null,
            Maintenance = suite.MaintenanceAt(check.Scenario, outcome.StartedAt)?.Name,
        };
        // Stored either way; but a check the reload removed (or moved to another target) does not set its series again
        // (one that slips in between this test and a reload is dropped by the next refresh).
        if (_regions.TryGetValue(check.Region, out RegionRuntime? now) && now.Has(check.Scenario) && now.Suite.Scenario(check.Scenario)!.Target == result.Target)
        {
            _metrics.Record(result, outcome, now.CheckReports(), now.Suite.Slos);
        }

        await _pipeline.SubmitAsync(result, CancellationToken.None);
        return result.Ok;
    }

    /// <summary>Drops the series of what the current suite no longer runs here (<see cref="SyntheticsMetrics.Prune"/>).</summary>
    private void PruneSeries()
    {
        Dictionary<string, RegionRuntime> regions = _regions;
        if (_suite is { } suite)
        {
            _metrics.Prune(suite, (scenario, region) => regions.TryGetValue(region, out RegionRuntime? r) && r.Has(scenario));
        }
    }

    private void LogResult(SyntheticResult r)
    {
        (string, object?)[] fields =
        [
            ("id", r.Id), ("scenario", r.Scenario), ("region", r.Region), ("ok", r.Ok), ("duration_ms", r.Duration.TotalMilliseconds),
            ("status", r.Status), ("reason", r.Reason), ("message", r.Message), ("recheck", r.Recheck),
            .. r.Maintenance is null ? Array.Empty<(string, object?)>() : [("maintenance", r.Maintenance)],
        ];
        _log.Write(r.Ok ? SyntheticsLog.LogLevel.Info : SyntheticsLog.LogLevel.Warn, "result", fields);
    }

    /// <summary>Disposes a replaced suite's runtimes once their running checks have had time to finish.</summary>
    private async Task RetireAsync(IEnumerable<RegionRuntime> old)
    {
        RegionRuntime[] list = old.ToArray();
        if (list.Length == 0)
        {
            return;
        }

        await Task.Delay(_options.ShutdownGrace, _options.Time);
        foreach (RegionRuntime runtime in list)
        {
            await runtime.DisposeAsync();
        }

        PruneSeries(); // what the old suite's last running checks reported as they ended (certificate expiry, time to first token)
    }
}
