using Probe.Engine.Histograms;
using Probe.Engine.Results;

namespace Probe.Engine.Stats;

/// <summary>
/// Merges figures of the same scenario or step taken apart (by shards, or per second) into one,
/// exactly: histograms merge bucket by bucket, counts add, per-second series line up by second.
/// </summary>
public static class SnapshotMerge
{
    /// <summary>
    /// A scenario's figures rebuilt from per-second samples alone (several shards' samples of the same
    /// second are merged): what a running sharded test knows of the whole, for abort-on-fail thresholds.
    /// </summary>
    /// <param name="scenario">The scenario's name.</param>
    /// <param name="seconds">Samples of the iterations (step null) and of each step.</param>
    public static ScenarioSnapshot FromSeconds(string scenario, IEnumerable<(string? Step, SecondSample Sample)> seconds)
    {
        ArgumentNullException.ThrowIfNull(seconds);
        var byStep = seconds.GroupBy(s => s.Step ?? string.Empty, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(s => s.Sample).ToArray(), StringComparer.Ordinal);
        StepSnapshot Build(string name, SecondSample[] samples)
        {
            SecondSample[] merged = samples.GroupBy(s => s.Second).OrderBy(g => g.Key).Select(g => Second(g.ToArray())).ToArray();
            var histogram = new LatencyHistogram(1);
            foreach (SecondSample second in merged)
            {
                histogram.Add(HistogramSerializer.Deserialize(second.LatencyHistogram));
            }

            TimeSpan duration = merged.Aggregate(TimeSpan.Zero, (sum, s) => sum + s.Duration);
            long count = merged.Sum(s => s.Count);
            return new StepSnapshot
            {
                Name = name,
                Ok = merged.Sum(s => s.Ok),
                Fail = merged.Sum(s => s.Fail),
                Bytes = merged.Sum(s => s.Bytes),
                Rps = duration > TimeSpan.Zero ? count / duration.TotalSeconds : 0,
                Latency = histogram.Summarize(),
                ServiceTime = histogram.Summarize(),
                LatencyHistogram = histogram,
                ServiceTimeHistogram = histogram,
                StatusCodes = new Dictionary<int, long>(),
                FailureReasons = new Dictionary<FailureReason, long>(),
                FailureMessages = [],
                Seconds = merged,
            };
        }

        return new ScenarioSnapshot
        {
            Name = scenario,
            Iterations = Build(scenario, byStep.GetValueOrDefault(string.Empty) ?? []),
            Steps = byStep.Where(p => p.Key.Length > 0).Select(p => Build(p.Key, p.Value)).ToArray(),
            SchedulerLag = LatencySummary.Empty,
            Dropped = 0,
            CurrentLoad = 0,
            InFlight = 0,
            Load = [],
        };
    }

    internal static ScenarioSnapshot Scenario(ScenarioSnapshot[] parts) => new()
    {
        Name = parts[0].Name,
        Iterations = Step(parts.Select(p => p.Iterations).ToArray()),
        Steps = parts.SelectMany(p => p.Steps).GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => Step(g.ToArray())).ToArray(),
        SchedulerLag = parts.Select(p => p.SchedulerLag).MaxBy(l => l.P99Nanoseconds),
        LateStarts = LateStarts.Merge(parts.Select(p => p.LateStarts)),
        Dropped = parts.Sum(p => p.Dropped),
        Checks = parts.All(p => p.Checks is not null) ? parts.Aggregate(default(CheckTotals), (sum, p) => sum + p.Checks!.Value) : null,
        CurrentLoad = parts.Sum(p => p.CurrentLoad),
        InFlight = parts.Sum(p => p.InFlight),
        Load = parts.SelectMany(p => p.Load).GroupBy(l => l.Second)
            .Select(g => new LoadSample(g.Key, g.Sum(l => l.Load), g.Sum(l => l.InFlight), g.Sum(l => l.Dropped))).OrderBy(l => l.Second).ToArray(),
    };

    /// <summary>Parts' figures as one: shards of a step, or every step of a scenario (k6's http_req_duration).</summary>
    internal static StepSnapshot Step(StepSnapshot[] parts)
    {
        Dictionary<string, LatencyHistogram> phases = MergePhases(parts);
        var latency = new LatencyHistogram(1);
        var service = new LatencyHistogram(1);
        foreach (StepSnapshot p in parts)
        {
            latency.Add(p.LatencyHistogram);
            service.Add(p.ServiceTimeHistogram);
        }

        return new StepSnapshot
        {
            Name = parts[0].Name,
            Ok = parts.Sum(p => p.Ok),
            Fail = parts.Sum(p => p.Fail),
            Bytes = parts.Sum(p => p.Bytes),
            Rps = parts.Sum(p => p.Rps),
            Latency = latency.Summarize(),
            ServiceTime = service.Summarize(),
            LatencyHistogram = latency,
            ServiceTimeHistogram = service,
            StatusCodes = Sum(parts.Select(p => p.StatusCodes)),
            FailureReasons = Sum(parts.Select(p => p.FailureReasons)),
            FailureMessages = parts.SelectMany(p => p.FailureMessages).Distinct().Take(8).ToArray(),
            Seconds = parts.SelectMany(p => p.Seconds).GroupBy(s => s.Second).OrderBy(g => g.Key).Select(g => Second(g.ToArray())).ToArray(),
        }
        with
        {
            Llm = LlmSnapshot.Merge(parts.Select(p => p.Llm)),
            PhaseHistograms = phases,
            Phases = phases.Count > 0 || parts.All(p => p.Phases.Count == 0)
                ? phases.ToDictionary(p => p.Key, p => p.Value.Summarize(), StringComparer.Ordinal)
                : parts.OrderByDescending(p => p.Count).First().Phases, // runs stored without phase histograms: the busiest shard's summaries stand in
        };
    }

    /// <summary>Each phase's histograms of every part merged exactly; empty when a part lacks them.</summary>
    private static Dictionary<string, LatencyHistogram> MergePhases(StepSnapshot[] parts)
    {
        var phases = new Dictionary<string, LatencyHistogram>(StringComparer.Ordinal);
        if (parts.Any(p => p.PhaseHistograms.Count < p.Phases.Count))
        {
            return phases;
        }

        foreach ((string phase, LatencyHistogram h) in parts.SelectMany(p => p.PhaseHistograms))
        {
            if (!phases.TryGetValue(phase, out LatencyHistogram? merged))
            {
                phases[phase] = merged = new LatencyHistogram(1);
            }

            merged.Add(h);
        }

        return phases;
    }

    private static SecondSample Second(SecondSample[] parts)
    {
        var histogram = new LatencyHistogram(1);
        foreach (SecondSample p in parts)
        {
            histogram.Add(HistogramSerializer.Deserialize(p.LatencyHistogram));
        }

        return new SecondSample(parts[0].Second, parts.Max(p => p.Duration), parts.Sum(p => p.Ok), parts.Sum(p => p.Fail), parts.Sum(p => p.Bytes), histogram.Summarize(), HistogramSerializer.Serialize(histogram));
    }

    private static Dictionary<TKey, long> Sum<TKey>(IEnumerable<IReadOnlyDictionary<TKey, long>> maps)
        where TKey : notnull
    {
        var sum = new Dictionary<TKey, long>();
        foreach (var map in maps)
        {
            foreach ((TKey key, long n) in map)
            {
                sum[key] = sum.GetValueOrDefault(key) + n;
            }
        }

        return sum;
    }
}
