using System.Globalization;
using Probe.Engine.Core;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Engine.Running;

/// <summary>Runs scenarios side by side under their load simulations and returns figures, thresholds and a verdict.</summary>
public static class LoadRunner
{
    /// <summary>
    /// Runs <paramref name="scenarios"/> concurrently, each on its own plan. Cancelling
    /// <paramref name="cancellation"/> stops the run early; the result then says it was aborted.
    /// </summary>
    /// <exception cref="ArgumentException">No scenarios, or two with one name.</exception>
    public static async Task<RunResult> RunAsync(IReadOnlyList<ScenarioDefinition> scenarios, RunOptions? options = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(scenarios);
        options ??= new RunOptions();
        Validate(scenarios, options);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        using var iterations = new CancellationTokenSource();
        using var sampling = new CancellationTokenSource();
        var runtimes = scenarios.Select(s => new ScenarioRuntime(s, options, iterations.Token)).ToArray();
        var drivers = runtimes.Select(r => new ScenarioDriver(r, options)).ToArray();
        var invalid = new List<string>();
        string? abortReason = null;
        var clock = new Timestamps(options.Time);

        DateTimeOffset startedAt = options.Time.GetUtcNow();
        string? initFailure = await RunHooksAsync(runtimes, clean: false, options, iterations.Token).ConfigureAwait(false);
        if (initFailure is not null)
        {
            return Finish(runtimes, new RunSampler(runtimes, options, clock.Now, _ => { }), options, startedAt, TimeSpan.Zero, invalid, initFailure, clock.Now);
        }

        await EngineWarmUp.RunAsync(runtimes, options).ConfigureAwait(false);

        // The plan starts a moment after this: the drivers' threads start and their first code runs
        // in that lead, not in the first iterations' time (an open model's first starts were ~15 ms
        // late without it).
        long start = clock.Now + clock.FromTimeSpan(options.StartLead);
        foreach (ScenarioRuntime rt in runtimes)
        {
            rt.StartMeasuringAt(start + clock.FromTimeSpan(rt.Definition.WarmUp));
        }

        options.Control?.Attach(runtimes, start, options.Time);
        var sampler = new RunSampler(runtimes, options, start, Abort) { PlannedDuration = PlannedDuration(runtimes) };
        Task sampled = sampler.RunAsync(sampling.Token);
        using (cancellation.Register(() => Abort("the run was cancelled")))
        {
            await Task.WhenAll(drivers.Select(d => d.RunAsync(start, stop.Token))).ConfigureAwait(false);
        }

        Task drained = Task.WhenAll(drivers.Select(d => d.DrainAsync()));
        if (!await CompletesWithin(drained, options).ConfigureAwait(false))
        {
            options.Log?.Invoke($"iterations still running after the graceful stop ({DurationText.Format(options.GracefulStop)}) are being cancelled");
            await iterations.CancelAsync().ConfigureAwait(false);
            if (!await CompletesWithin(drained, options).ConfigureAwait(false))
            {
                invalid.Add("iterations were still running after the graceful stop and after cancellation, and were abandoned");
            }
        }

        long end = clock.Now;
        options.Control?.End();
        await sampling.CancelAsync().ConfigureAwait(false);
        await sampled.ConfigureAwait(false);
        sampler.CutFinal(end);
        await RunHooksAsync(runtimes, clean: true, options, CancellationToken.None).ConfigureAwait(false);
        return Finish(runtimes, sampler, options, startedAt, clock.ToTimeSpan(end - start), invalid, abortReason, end);

        void Abort(string reason)
        {
            if (Interlocked.CompareExchange(ref abortReason, reason, null) is null)
            {
                options.Log?.Invoke($"aborting: {reason}");
                stop.Cancel();
                iterations.Cancel();
            }
        }
    }

    private static RunResult Finish(ScenarioRuntime[] runtimes, RunSampler sampler, RunOptions options, DateTimeOffset startedAt, TimeSpan duration, List<string> invalid, string? abortReason, long end)
    {
        var snapshots = runtimes.Select((rt, i) => rt.Stats.Snapshot(sampler.Measured(i, end), 0, 0) with { Checks = rt.Definition.Checks?.Invoke() }).ToArray();
        var thresholds = new List<ThresholdResult>();
        for (int i = 0; i < runtimes.Length; i++)
        {
            ScenarioDefinition definition = runtimes[i].Definition;
            thresholds.AddRange(ThresholdEvaluator.EvaluateAll(definition.Thresholds, snapshots[i]));
            invalid.AddRange(SelfCheck(definition, snapshots[i], options));
        }

        return new RunResult
        {
            StartedAt = startedAt,
            Duration = duration,
            Scenarios = snapshots,
            Thresholds = thresholds,
            InvalidReasons = invalid,
            AbortReason = abortReason,
            LoadChanges = options.Control?.Changes ?? [],
        };
    }

    /// <summary>
    /// The generator's watch on itself: figures it cannot vouch for make the run invalid. An open-model
    /// run is invalid when more of its iterations started late (past <see cref="RunOptions.LagBound"/>)
    /// than <see cref="RunOptions.LateStartsAllowed"/> and 1 % of its starts: the share, as a p99 bound
    /// would say, but one stall in a short run of a few dozen iterations does not decide it.
    /// </summary>
    internal static IEnumerable<string> SelfCheck(ScenarioDefinition definition, ScenarioSnapshot snapshot, RunOptions options)
    {
        long starts = snapshot.SchedulerLag.Count;
        LateStarts late = snapshot.LateStarts;
        if (late.Count > Math.Max(options.LateStartsAllowed, starts / 100))
        {
            string when = string.Join(", ", late.First.Select(s => $"{DurationText.FormatNanoseconds(s.At.Ticks * 100)} (+{DurationText.FormatNanoseconds(s.Lag.Ticks * 100)})"));
            yield return string.Create(CultureInfo.InvariantCulture, $"scenario '{definition.Name}': {late.Count} of {starts} iterations ({100.0 * late.Count / starts:0.##}%) started more than {DurationText.Format(options.LagBound)} after they were due (at most {Math.Max(options.LateStartsAllowed, starts / 100)} may): the generator could not hold the schedule, so its own delay would pass for the target's latency; the first late starts, into the run: {when}");
        }

        if (snapshot.Dropped > 0)
        {
            yield return $"scenario '{definition.Name}': {snapshot.Dropped} iterations dropped because {definition.MaxInFlight} were in flight and the queue ({definition.MaxQueued}) was full; raise the in-flight cap or the queue, or lower the rate";
        }
    }

    private static async Task<string?> RunHooksAsync(ScenarioRuntime[] runtimes, bool clean, RunOptions options, CancellationToken cancellation)
    {
        foreach (ScenarioRuntime rt in runtimes)
        {
            Func<ScenarioInitContext, ValueTask>? hook = clean ? rt.Definition.Clean : rt.Definition.Init;
            if (hook is null)
            {
                continue;
            }

            try
            {
                await hook(new ScenarioInitContext(rt.Definition.Name, rt.Data, rt.Log, cancellation)).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                string what = $"the {(clean ? "clean" : "init")} hook of scenario '{rt.Definition.Name}' failed: {e.GetType().Name}: {e.Message}";
                options.Log?.Invoke(what);
                if (!clean)
                {
                    return what;
                }
            }
        }

        return null;
    }

    private static async Task<bool> CompletesWithin(Task task, RunOptions options)
    {
        using var timeout = new CancellationTokenSource();
        Task delay = Task.Delay(options.GracefulStop, options.Time, timeout.Token);
        Task first = await Task.WhenAny(task, delay).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        return first == task;
    }

    private static TimeSpan? PlannedDuration(ScenarioRuntime[] runtimes) =>
        runtimes.Any(r => r.Plan.Duration is null) ? null : runtimes.Max(r => r.Plan.Duration!.Value);

    private static void Validate(IReadOnlyList<ScenarioDefinition> scenarios, RunOptions options)
    {
        if (scenarios.Count == 0)
        {
            throw new ArgumentException("A run needs at least one scenario.", nameof(scenarios));
        }

        string? twice = scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (twice is not null)
        {
            throw new ArgumentException($"Two scenarios are named '{twice}'; names must be unique.", nameof(scenarios));
        }

        if (options.LagBound <= TimeSpan.Zero)
        {
            throw new ArgumentException("LagBound must be greater than zero.", nameof(options));
        }

        if (options.StartLead < TimeSpan.Zero || options.StartLead > TimeSpan.FromSeconds(10))
        {
            throw new ArgumentException("StartLead must be from 0 to 10 s.", nameof(options));
        }

        if (options.LateStartsAllowed < 0)
        {
            throw new ArgumentException("LateStartsAllowed must be 0 or more.", nameof(options));
        }

        if (options.SpinWindow < TimeSpan.Zero || options.SpinWindow > TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException("SpinWindow must be from 0 to 10 ms.", nameof(options));
        }
    }
}
