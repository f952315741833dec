namespace Probe.Scenarios.Suite;

/// <summary>Reads <c>slos</c>: availability or latency objectives over a window, on some scenarios.</summary>
internal static class SloReader
{
    private static readonly string[] Kinds = ["availability", "latency"];

    public static IReadOnlyList<SloSpec> Read(SuiteNode root, IReadOnlyList<string> scenarios)
    {
        var slos = new List<SloSpec>();
        if (root.Field("slos") is not { } node || !node.IsObjectWith("the SLOs", node.Members().Select(m => m.Name).ToArray()))
        {
            return slos;
        }

        foreach ((string name, SuiteNode slo) in node.Members())
        {
            if (!slo.IsObjectWith($"SLO '{name}'", "kind", "objective", "window", "scenarios", "threshold"))
            {
                continue;
            }

            string kind = slo.String("kind") ?? "availability";
            if (!Kinds.Contains(kind))
            {
                slo.Child("kind").Error($"expected \"availability\" or \"latency\", found \"{kind}\"{SuiteNode.DidYouMean(kind, Kinds)}");
            }

            double? objective = slo.Ratio("objective", required: true);
            TimeSpan window = slo.Duration("window", min: TimeSpan.FromMinutes(1)) ?? TimeSpan.FromDays(30);
            TimeSpan? threshold = slo.Duration("threshold");
            if (kind == "latency" && threshold is null && !slo.Has("threshold"))
            {
                slo.Error("a latency SLO needs a 'threshold', for example \"threshold\": \"1s\" (the share of results faster than it)");
            }

            IReadOnlyList<string> covered = slo.Strings("scenarios");
            for (int i = 0; i < covered.Count; i++)
            {
                if (!scenarios.Contains(covered[i]))
                {
                    slo.Child("scenarios").Error($"scenario '{covered[i]}' is not in the suite{SuiteNode.DidYouMean(covered[i], scenarios)}; scenarios: {string.Join(", ", scenarios)}");
                }
            }

            if (objective is { } o)
            {
                slos.Add(new SloSpec(name, kind, o, window, covered.Count == 0 ? scenarios : covered, threshold));
            }
        }

        return slos;
    }
}
