using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>
/// The targets of the script's URLs: each origin (<c>https://api.example.com</c>) is a target
/// (<c>api</c>, <c>api2</c>, …), and a URL that starts with <c>__ENV.NAME</c> is a target named after
/// the variable, with a loopback placeholder until <c>--target</c> or <c>PROBE_TARGET_NAME</c> says where.
/// </summary>
internal sealed class K6Targets
{
    /// <summary>The URL a target read from the environment has until the run says otherwise.</summary>
    public const string Placeholder = "http://127.0.0.1:8080";

    private readonly K6Report _report;
    private readonly Dictionary<string, string> _byOrigin = new(StringComparer.OrdinalIgnoreCase);

    public K6Targets(K6Report report) => _report = report;

    /// <summary>Target name to URL, in the order first seen.</summary>
    public List<(string Name, string Url)> All { get; } = [];

    /// <summary>The target and the path (with its query) of <paramref name="url"/>, or null (reported).</summary>
    public (string Target, string Path)? Resolve(string url, Node at)
    {
        if (url.StartsWith("${env:", StringComparison.Ordinal) && url.IndexOf('}', StringComparison.Ordinal) is > 6 and var end)
        {
            string variable = url[6..end];
            string name = variable.ToLowerInvariant();
            if (!_byOrigin.ContainsKey(url[..(end + 1)]))
            {
                _byOrigin[url[..(end + 1)]] = name;
                All.Add((name, Placeholder));
                _report.Note(at, $"the URL starts with __ENV.{variable}: target '{name}' is {Placeholder} in the suite; run with --target {name}=URL or PROBE_TARGET_{variable.ToUpperInvariant()}");
            }

            return (name, PathOf(url[(end + 1)..]));
        }

        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0 || !(url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            _report.Cannot(at, $"expected an absolute http or https URL (or one starting with __ENV.NAME), found \"{url}\"");
            return null;
        }

        int pathStart = url.IndexOfAny(['/', '?', '#'], scheme + 3);
        string origin = pathStart < 0 ? url : url[..pathStart];
        if (origin.Contains("${", StringComparison.Ordinal))
        {
            _report.Cannot(at, $"the host of \"{url}\" comes from a variable; only a whole base URL (__ENV.BASE_URL + '/path') can");
            return null;
        }

        if (!_byOrigin.TryGetValue(origin, out string? target))
        {
            target = All.Count == 0 ? "api" : $"api{All.Count + 1}";
            _byOrigin[origin] = target;
            All.Add((target, origin));
        }

        return (target, PathOf(pathStart < 0 ? string.Empty : url[pathStart..]));
    }

    private static string PathOf(string rest)
    {
        int fragment = rest.IndexOf('#', StringComparison.Ordinal);
        rest = fragment < 0 ? rest : rest[..fragment];
        return rest.StartsWith('/') ? rest : "/" + rest;
    }
}
