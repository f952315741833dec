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

        IEnumerable<(SuiteNode Item, string? K6Metric, string? Step)> items = node.Kind == JsonValueKind.Object
            ? K6Thresholds(node, steps)
            : node.Items("thresholds (an array, or k6's object of metric names)").Select(item => (item, (string?)null, (string?)null));
        foreach ((SuiteNode item, string? k6Metric, string? k6Step) in items)
        {
            ThresholdSpec? spec = ThresholdItem(item, k6Metric, k6Step);
            if (spec is null)
            {
                continue;
            }

            SuiteNode exprNode = item.Kind == JsonValueKind.String ? item : item.Child(k6Metric is null ? "expr" : "threshold");
            if (!ThresholdParser.TryParse(spec.Expression, out Threshold? parsed, out ThresholdParseError? error))
            {
                exprNode.Error($"threshold \"{spec.Expression}\": {error}");
                continue;
            }

            if (k6Step is null && spec.Step is { } step && !steps.Contains(step))
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

    /// <summary>One threshold: a string, Probe's object (<c>expr</c>, <c>step</c>…), or under a k6 metric k6's (<c>threshold</c>, <c>abortOnFail</c>, <c>delayAbortEval</c>).</summary>
    private static ThresholdSpec? ThresholdItem(SuiteNode item, string? k6Metric, string? k6Step)
    {
        if (item.Kind == JsonValueKind.String)
        {
            string text = item.Element.GetString()!;
            return new ThresholdSpec(k6Metric is null ? text : $"{k6Metric} {text}", k6Step);
        }

        if (k6Metric is null)
        {
            return item.IsObjectWith("a threshold", "expr", "step", "abort_on_fail", "delay_abort_eval") && item.String("expr", required: true, example: "\"p95 < 1s\"") is { } expr
                ? new ThresholdSpec(expr, item.String("step"), item.Boolean("abort_on_fail") ?? false, item.Duration("delay_abort_eval") ?? TimeSpan.Zero)
                : null;
        }

        return item.IsObjectWith("a k6 threshold", "threshold", "abortOnFail", "delayAbortEval") && item.String("threshold", required: true, example: "\"p(95)<500\"") is { } threshold
            ? new ThresholdSpec($"{k6Metric} {threshold}", k6Step, item.Boolean("abortOnFail") ?? false, item.Duration("delayAbortEval") ?? TimeSpan.Zero)
            : null;
    }

    /// <summary>
    /// k6's thresholds object: <c>{"http_req_duration": ["p(95)&lt;500"], "http_req_failed": ["rate&lt;0.01"]}</c>;
    /// a metric tagged with a step, <c>http_req_duration{name:search}</c> (k6's request name) or <c>{step:search}</c>, reads that step.
    /// </summary>
    private static IEnumerable<(SuiteNode Item, string? K6Metric, string? Step)> K6Thresholds(SuiteNode node, string[] steps)
    {
        foreach ((string key, SuiteNode value) in node.Members())
        {
            int brace = key.IndexOf('{', StringComparison.Ordinal);
            string metric = brace < 0 ? key : key[..brace];
            if (!ThresholdParser.K6MetricNames.Contains(metric))
            {
                node.Diagnostics.Add(value.Path, $"unknown k6 metric '{metric}'{SuiteNode.DidYouMean(metric, ThresholdParser.K6MetricNames)}; Probe reads {string.Join(", ", ThresholdParser.K6MetricNames)} (or write thresholds as an array of strings such as \"p95 < 1s\")", atName: true);
                continue;
            }

            string? step = null;
            if (brace >= 0)
            {
                string tag = key[(brace + 1)..].TrimEnd('}');
                int colon = tag.IndexOf(':', StringComparison.Ordinal);
                string tagName = colon < 0 ? tag : tag[..colon].Trim();
                step = colon < 0 ? null : tag[(colon + 1)..].Trim();
                if (!key.EndsWith('}') || tagName is not ("name" or "step") || string.IsNullOrEmpty(step) || !steps.Contains(step))
                {
                    node.Diagnostics.Add(value.Path, $"'{key}': Probe reads a metric tagged with one of the scenario's steps, such as {metric}{{name:{(steps.Length > 0 ? steps[0] : "search")}}}; steps: {string.Join(", ", steps)}", atName: true);
                    continue;
                }
            }

            foreach (SuiteNode item in value.Items($"the thresholds of {key}", single: true))
            {
                yield return (item, metric, step);
            }
        }
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
