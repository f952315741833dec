using Probe.Scenarios.Steps;
using System.Text.Json;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;
using Probe.Scenarios.Schedules;

namespace Probe.Scenarios.Suite;

/// <summary>Reads one scenario: target, steps, load, thresholds, limits, schedule and regions.</summary>
internal static class ScenarioReader
{
    internal static readonly string[] Fields = ["description", "target", "tags", "steps", "load", "thresholds", "baseline", "warm_up", "max_in_flight", "max_queued", "schedule", "regions"];

    public static ScenarioSpec? Read(string name, SuiteNode node, SuiteContext suite)
    {
        if (!node.IsObjectWith($"scenario '{name}'", Fields))
        {
            return null;
        }

        // With one target the field may be left out; with several it must say which.
        string? target = node.String("target", required: suite.DeclaredTargets.Count > 1, example: $"\"{suite.DeclaredTargets.FirstOrDefault() ?? "demo"}\"")
            ?? (suite.DeclaredTargets.Count == 1 ? suite.DeclaredTargets[0] : null);
        if (target is not null && !suite.DeclaredTargets.Contains(target))
        {
            node.Child("target").Error($"unknown target '{target}'{SuiteNode.DidYouMean(target, suite.DeclaredTargets)}; targets: {string.Join(", ", suite.DeclaredTargets)}");
        }

        IReadOnlyList<StepSpec> steps = StepReader.ReadAll(node, suite);
        var load = LoadReader.Read(node);
        var thresholds = Thresholds(node, steps);
        IReadOnlyList<string> regions = node.Strings("regions");
        foreach (string region in regions.Where(r => !suite.Regions.Contains(r)))
        {
            node.Child("regions").Error($"region '{region}' is not in the suite's 'regions'{SuiteNode.DidYouMean(region, suite.Regions)}; regions: {(suite.Regions.Count == 0 ? "none declared" : string.Join(", ", suite.Regions))}");
        }

        return target is null ? null : new ScenarioSpec(
            name,
            target,
            node.Strings("tags"),
            steps,
            load,
            thresholds,
            node.Duration("warm_up") ?? TimeSpan.Zero,
            (int?)node.Integer("max_in_flight", 1, 1_000_000),
            (int)(node.Integer("max_queued", 0, 10_000_000) ?? 0),
            Schedule(node),
            regions) { Baseline = Baseline(node) };
    }

    private static IReadOnlyList<BaselineRule> Baseline(SuiteNode scenario)
    {
        var rules = new List<BaselineRule>();
        if (scenario.Field("baseline") is not { } node)
        {
            return rules;
        }

        foreach (SuiteNode item in node.Items("baseline rules"))
        {
            if (item.Kind != JsonValueKind.String)
            {
                item.Error($"expected a rule such as \"p95 <= baseline +10%\", found {SuiteNode.Describe(item.Element)}");
                continue;
            }

            try
            {
                rules.Add(BaselineRule.Parse(item.Element.GetString()!));
            }
            catch (FormatException e)
            {
                item.Error(e.Message);
            }
        }

        return rules;
    }

    private static IReadOnlyList<ThresholdSpec> Thresholds(SuiteNode scenario, IReadOnlyList<StepSpec> stepSpecs)
    {
        string[] steps = stepSpecs.Select(s => s.Name).ToArray();
        var list = new List<ThresholdSpec>();
        if (scenario.Field("thresholds") is not { } node)
        {
            return list;
        }

        foreach (SuiteNode item in node.Items("thresholds"))
        {
            ThresholdSpec? spec = item.Kind == JsonValueKind.String
                ? new ThresholdSpec(item.Element.GetString()!)
                : item.IsObjectWith("a threshold", "expr", "step", "abort_on_fail", "delay_abort_eval") && item.String("expr", required: true, example: "\"p95 < 1s\"") is { } expr
                    ? new ThresholdSpec(expr, item.String("step"), item.Boolean("abort_on_fail") ?? false, item.Duration("delay_abort_eval") ?? TimeSpan.Zero)
                    : null;
            if (spec is null)
            {
                continue;
            }

            SuiteNode exprNode = item.Kind == JsonValueKind.String ? item : item.Child("expr");
            if (!ThresholdParser.TryParse(spec.Expression, out Threshold? parsed, out ThresholdParseError? error))
            {
                exprNode.Error($"threshold \"{spec.Expression}\": {error}");
                continue;
            }

            if (spec.Step is { } step && !steps.Contains(step))
            {
                item.Child("step").Error($"no step '{step}' in this scenario{SuiteNode.DidYouMean(step, steps)}; steps: {string.Join(", ", steps)}");
                continue;
            }

            bool onModel = parsed.Llm is not null || parsed.Metric == ThresholdMetric.Goodput;
            if (onModel && !stepSpecs.Any(s => s.AsksModel && (spec.Step is null || s.Name == spec.Step)))
            {
                exprNode.Error($"threshold \"{spec.Expression}\" reads LLM answers, but {(spec.Step is null ? "no step of this scenario" : $"step '{spec.Step}'")} asks a model; LLM figures come from rag steps");
                continue;
            }

            list.Add(spec);
        }

        return list;
    }

    private static ScheduleSpec? Schedule(SuiteNode scenario)
    {
        if (scenario.Field("schedule") is not { } node || !node.IsObjectWith("a schedule", "every", "cron", "jitter", "overlap", "recheck"))
        {
            return null;
        }

        TimeSpan? every = node.Duration("every", min: TimeSpan.FromSeconds(1));
        string? cron = node.String("cron");
        if ((every is null) == (cron is null) && !(node.Has("every") && every is null))
        {
            node.Error("a schedule has exactly one of 'every' (such as \"30s\") or 'cron' (such as \"0 3 * * *\")");
            return null;
        }

        if (cron is not null && !CronExpression.TryParse(cron, out _, out string? cronError))
        {
            node.Child("cron").Error($"{cronError}; found \"{cron}\"");
        }

        string? overlap = node.String("overlap");
        if (overlap is not null and not ("skip" or "queue"))
        {
            node.Child("overlap").Error($"expected \"skip\" (a run due while the previous one is still going is skipped and counted) or \"queue\" (it starts when the previous one ends), found \"{overlap}\"{SuiteNode.DidYouMean(overlap, ["skip", "queue"])}");
        }

        TimeSpan jitter = node.Duration("jitter") ?? TimeSpan.Zero;
        if (every is { } period && jitter >= period)
        {
            node.Child("jitter").Error($"must be shorter than the period ({DurationText.Format(period)}), found \"{DurationText.Format(jitter)}\"");
        }

        return new ScheduleSpec(every, cron, jitter)
        {
            QueueOverlaps = overlap == "queue",
            Recheck = node.Duration("recheck", min: TimeSpan.FromSeconds(1)),
        };
    }
}
