namespace Probe.Scenarios.Suite;

/// <summary>Reads <c>slos</c>: availability, latency, time-to-first-token or goodput objectives over a window, on some scenarios.</summary>
internal static class SloReader
{
    private static readonly string[] Kinds = ["availability", "latency", "ttft", "goodput"];

    /// <param name="root">The suite.</param>
    /// <param name="scenarios">Every scenario's name.</param>
    /// <param name="askModels">The scenarios with a step that asks a model (ttft and goodput SLOs read those).</param>
    public static IReadOnlyList<SloSpec> Read(SuiteNode root, IReadOnlyList<string> scenarios, IReadOnlySet<string> askModels)
    {
        var slos = new List<SloSpec>();
        if (root.Field("slos") is not { } node || !node.IsObjectWith("the SLOs", node.Members().Select(m => m.Name).ToArray()))
        {
            return slos;
        }

        foreach ((string name, SuiteNode slo) in node.Members())
        {
            if (!slo.IsObjectWith($"SLO '{name}'", "kind", "objective", "window", "scenarios", "threshold", "objectives"))
            {
                continue;
            }

            string kind = slo.String("kind") ?? "availability";
            if (!Kinds.Contains(kind))
            {
                slo.Child("kind").Error($"expected \"availability\", \"latency\", \"ttft\" or \"goodput\", found \"{kind}\"{SuiteNode.DidYouMean(kind, Kinds)}");
            }

            double? objective = slo.Ratio("objective", required: true);
            TimeSpan window = slo.Duration("window", min: TimeSpan.FromMinutes(1)) ?? TimeSpan.FromDays(30);
            TimeSpan? threshold = slo.Duration("threshold");
            if (kind is "latency" or "ttft" && threshold is null && !slo.Has("threshold"))
            {
                slo.Error(kind == "ttft"
                    ? "a ttft SLO needs a 'threshold', for example \"threshold\": \"500ms\" (the share of answers whose first token came sooner)"
                    : "a latency SLO needs a 'threshold', for example \"threshold\": \"1s\" (the share of results faster than it)");
            }

            IReadOnlyList<Probe.Engine.Stats.LlmObjective> objectives = Objectives(slo, kind);
            IReadOnlyList<string> covered = slo.Strings("scenarios");
            for (int i = 0; i < covered.Count; i++)
            {
                if (!scenarios.Contains(covered[i]))
                {
                    slo.Child("scenarios").Error($"scenario '{covered[i]}' is not in the suite{SuiteNode.DidYouMean(covered[i], scenarios)}; scenarios: {string.Join(", ", scenarios)}");
                }
            }

            IReadOnlyList<string> over = covered.Count == 0 ? scenarios : covered;
            if (kind is "ttft" or "goodput" && over.Where(scenarios.Contains).FirstOrDefault(s => !askModels.Contains(s)) is { } plain)
            {
                slo.Child(slo.Has("scenarios") ? "scenarios" : "kind").Error($"a {kind} SLO reads LLM answers, but scenario '{plain}' has no step that asks a model; name the scenarios with rag steps in 'scenarios'");
            }

            if (objective is { } o)
            {
                slos.Add(new SloSpec(name, kind, o, window, over, threshold) { Objectives = objectives });
            }
        }

        return slos;
    }

    /// <summary>A goodput SLO's <c>"objectives": "ttft &lt; 1s, tpot &lt; 50ms"</c>, in the words of the goodput threshold.</summary>
    private static IReadOnlyList<Probe.Engine.Stats.LlmObjective> Objectives(SuiteNode slo, string kind)
    {
        string? text = slo.String("objectives");
        if (kind != "goodput")
        {
            if (text is not null)
            {
                slo.Child("objectives").Error($"'objectives' are for goodput SLOs; this one is {kind}");
            }

            return [];
        }

        if (text is null)
        {
            slo.Error("a goodput SLO needs 'objectives' each good answer meets, for example \"objectives\": \"ttft < 1s, tpot < 50ms\"");
            return [];
        }

        if (!Probe.Engine.Thresholds.ThresholdParser.TryParse($"goodput({text}) >= 0%", out Probe.Engine.Thresholds.Threshold? parsed, out Probe.Engine.Thresholds.ThresholdParseError? error))
        {
            slo.Child("objectives").Error($"objectives \"{text}\": {error.Message} (at column {Math.Max(1, error.Column - 8)})");
            return [];
        }

        return parsed.Objectives;
    }
}
