using Probe.Engine.Histograms;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;

namespace Probe.Runner.Sharding;

/// <summary>
/// While a shard runs: every second it sends its new per-second samples to the coordinator (so a
/// shard that dies leaves what it measured), judges the suite's abort-on-fail thresholds on the
/// merged samples of all shards, and stops its own run as soon as any shard has aborted the whole.
/// </summary>
internal sealed class ShardStream : IAsyncDisposable
{
    private readonly ShardCoordinator _coordinator;
    private readonly ShardSession _session;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<ThresholdSpec>> _aborts;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<(string, string?), int> _sent = [];
    private readonly Task _loop;
    private RunProgress? _latest;

    public ShardStream(ShardSession session, IReadOnlyDictionary<string, IReadOnlyList<ThresholdSpec>> abortThresholds, TimeProvider time)
    {
        _session = session;
        _coordinator = session.Coordinator;
        _aborts = abortThresholds;
        _time = time;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Cancelled when the whole run aborts (this shard's verdict or another's).</summary>
    public CancellationTokenSource Abort { get; } = new();

    /// <summary>Why the whole run aborted, once it has.</summary>
    public string? AbortReason { get; private set; }

    /// <summary>Feed of the engine's live figures (about once a second); only the latest is kept.</summary>
    public void OnProgress(RunProgress progress) => Volatile.Write(ref _latest, progress);

    /// <summary>Sends what is left after the run.</summary>
    public async Task FlushAsync(RunResult result, CancellationToken cancellation)
    {
        await _stop.CancelAsync();
        await _loop;
        await SendAsync(result.Scenarios, cancellation);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
        Abort.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                try
                {
                    if (Volatile.Read(ref _latest) is { } progress)
                    {
                        await SendAsync(progress.Scenarios, _stop.Token);
                    }

                    await JudgeAsync(_stop.Token);
                }
                catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
                {
                    // The coordinator is unreachable for a moment: the samples go with the next tick or the final flush.
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }
    }

    private async Task SendAsync(IReadOnlyList<ScenarioSnapshot> scenarios, CancellationToken cancellation)
    {
        var fresh = new List<ShardSecond>();
        foreach (ScenarioSnapshot s in scenarios)
        {
            Collect(s.Name, null, s.Iterations, fresh);
            foreach (StepSnapshot step in s.Steps)
            {
                Collect(s.Name, step.Name, step, fresh);
            }
        }

        await _coordinator.UploadSecondsAsync(_session.RunId, _session.Shard.Index, fresh, cancellation);
        foreach (ShardSecond sent in fresh)
        {
            _sent[(sent.Scenario, sent.Step)] = Math.Max(_sent.GetValueOrDefault((sent.Scenario, sent.Step), -1), sent.Second);
        }
    }

    private void Collect(string scenario, string? step, StepSnapshot snapshot, List<ShardSecond> into)
    {
        int last = _sent.GetValueOrDefault((scenario, step), -1);
        into.AddRange(snapshot.Seconds.Where(s => s.Second > last)
            .Select(s => new ShardSecond(scenario, step, s.Second, s.Duration, s.Ok, s.Fail, s.Bytes, s.LatencyHistogram)));
    }

    private async Task JudgeAsync(CancellationToken cancellation)
    {
        string? reason = null;
        if (_aborts.Count > 0)
        {
            IReadOnlyList<(int Shard, ShardSecond Second)> all = await _coordinator.SecondsAsync(_session.RunId, cancellation);
            foreach ((string scenario, IReadOnlyList<ThresholdSpec> specs) in _aborts)
            {
                var samples = all.Where(r => r.Second.Scenario == scenario)
                    .Select(r => (r.Second.Step, new SecondSample(r.Second.Second, r.Second.Duration, r.Second.Ok, r.Second.Fail, r.Second.Bytes, LatencySummary.Empty, r.Second.Latency)))
                    .ToArray();
                if (samples.Length == 0)
                {
                    continue;
                }

                ScenarioSnapshot merged = SnapshotMerge.FromSeconds(scenario, samples);
                TimeSpan elapsed = TimeSpan.FromSeconds(samples.Max(s => s.Item2.Second) + 1);
                foreach (ThresholdSpec spec in specs.Where(s => elapsed >= s.DelayAbortEval))
                {
                    ThresholdResult result = ThresholdEvaluator.Evaluate(spec, merged, trailingOnly: true);
                    if (!result.Passed && !double.IsNaN(result.Observed))
                    {
                        reason = $"threshold '{result.Expression}' on {result.Subject} failed on the merged figures of all shards {DurationText.Format(elapsed)} into the run (observed {result.ObservedText}) and aborts on fail";
                        break;
                    }
                }
            }
        }

        string? inForce = await _coordinator.AbortAsync(_session.RunId, reason, cancellation);
        if (inForce is not null && AbortReason is null)
        {
            AbortReason = inForce;
            await Abort.CancelAsync();
        }
    }
}
