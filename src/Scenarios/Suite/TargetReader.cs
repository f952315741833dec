namespace Probe.Scenarios.Suite;

/// <summary>Reads <c>targets</c>: <c>{ "demo": { "url": "http://127.0.0.1:5080", "demo": true } }</c>.</summary>
internal static class TargetReader
{
    internal static readonly string[] Fields = ["url", "demo", "insecure_tls"];

    public static IReadOnlyDictionary<string, TargetSpec> Read(SuiteNode root, IReadOnlyDictionary<string, string> overrides)
    {
        var targets = new Dictionary<string, TargetSpec>(StringComparer.Ordinal);
        if (root.Field("targets") is not { } node)
        {
            root.Error("'targets' is required: named base URLs, for example \"targets\": { \"demo\": { \"url\": \"http://127.0.0.1:5080\", \"demo\": true } }");
            return targets;
        }

        if (!node.IsObjectWith("the targets", node.Members().Select(m => m.Name).ToArray()))
        {
            return targets;
        }

        foreach ((string name, SuiteNode target) in node.Members())
        {
            if (!target.IsObjectWith($"target '{name}'", Fields))
            {
                continue;
            }

            string? url = overrides.TryGetValue(name, out string? o) ? o : target.String("url", required: true, example: "\"http://127.0.0.1:5080\"");
            if (url is null)
            {
                continue;
            }

            if (!Uri.TryCreate(Secrets.Check(url, target.Child("url")), UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https"))
            {
                (overrides.ContainsKey(name) ? target : target.Child("url")).Error($"expected an absolute http or https URL such as \"http://127.0.0.1:5080\", found \"{url}\"{(overrides.ContainsKey(name) ? " (from --target)" : string.Empty)}");
                continue;
            }

            targets[name] = new TargetSpec(name, uri, target.Boolean("demo") ?? false, target.Boolean("insecure_tls") ?? false);
        }

        foreach (string name in overrides.Keys.Where(k => !targets.ContainsKey(k) && !node.Has(k)))
        {
            node.Error($"--target names '{name}', which the suite does not define{SuiteNode.DidYouMean(name, targets.Keys)}; targets: {string.Join(", ", targets.Keys)}");
        }

        return targets;
    }
}
