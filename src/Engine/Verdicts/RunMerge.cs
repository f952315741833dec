using Probe.Engine.Stats;
using Probe.Engine.Thresholds;

namespace Probe.Engine.Verdicts;

/// <summary>
/// Merges the results of a test run as shards into one, exactly: histograms merge bucket by bucket,
/// counts add, per-second series line up by second (every shard started at the same instant), and
/// the thresholds are evaluated again on the merged figures — not taken from any one shard.
/// </summary>
public static class RunMerge
{
    /// <param name="shards">The shards' results (at least one).</param>
    /// <param name="invalidReasons">Reasons the whole is invalid beyond the shards' own (a missing shard).</param>
    public static RunResult Merge(IReadOnlyList<RunResult> shards, IEnumerable<string>? invalidReasons = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentOutOfRangeException.ThrowIfZero(shards.Count);
        ScenarioSnapshot[] scenarios = shards.SelectMany(s => s.Scenarios).GroupBy(s => s.Name, StringComparer.Ordinal).Select(g => SnapshotMerge.Scenario(g.ToArray())).ToArray();
        var thresholds = new List<ThresholdResult>();
        foreach (var spec in shards[0].Thresholds.Select(t => (t.Scenario, Spec: new ThresholdSpec(t.Expression, t.Step))).Distinct())
        {
            if (!ThresholdParser.TryParse(spec.Spec.Expression, out _, out _) || scenarios.FirstOrDefault(s => s.Name == spec.Scenario) is not { } scenario)
            {
                continue; // baseline comparisons are made per run against a summary, not re-evaluated here
            }

            ThresholdResult merged = ThresholdEvaluator.Evaluate(spec.Spec, scenario);
            bool defaultGate = shards[0].Thresholds.Any(t => t.Scenario == spec.Scenario && t.Expression == spec.Spec.Expression && t.Note?.StartsWith(ThresholdSpec.DefaultGateNote, StringComparison.Ordinal) == true);
            thresholds.Add(defaultGate && merged.Note is null ? merged with { Note = ThresholdSpec.DefaultGateNote } : merged);
        }

        string[] aborts = shards.Select(s => s.AbortReason).OfType<string>().Distinct().ToArray();
        return new RunResult
        {
            StartedAt = shards.Min(s => s.StartedAt),
            Duration = shards.Max(s => s.Duration),
            Scenarios = scenarios,
            Thresholds = thresholds,
            InvalidReasons = [.. shards.SelectMany((s, i) => s.InvalidReasons.Select(r => $"shard {i}: {r}")), .. invalidReasons ?? []],
            AbortReason = aborts.Length == 0 ? null : string.Join("; ", aborts),
        };
    }
}
