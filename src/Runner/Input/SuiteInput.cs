using Probe.Scenarios.Suite;

namespace Probe.Runner.Input;

/// <summary>Loads the suite named on the command line and prints its errors the way every command does.</summary>
internal static class SuiteInput
{
    public const string DefaultFile = "scenarios.json";

    /// <summary>The suite, or null after printing every error (the caller exits 2).</summary>
    public static SuiteDefinition? Load(string? path, IReadOnlyDictionary<string, string> targets, TextWriter errors)
    {
        string file = path ?? DefaultFile;
        if (path is null && !File.Exists(file))
        {
            errors.WriteLine($"probe: no suite file given and no {DefaultFile} in {Environment.CurrentDirectory}; name one: probe run path/to/suite.json");
            return null;
        }

        try
        {
            SuiteDefinition suite = SuiteLoader.Load(file, targets);
            var fromEnvironment = suite.Targets.Keys
                .Where(name => !targets.ContainsKey(name) && Environment.GetEnvironmentVariable(EnvironmentName(name)) is { Length: > 0 })
                .ToDictionary(name => name, name => Environment.GetEnvironmentVariable(EnvironmentName(name))!, StringComparer.Ordinal);
            return fromEnvironment.Count == 0 ? suite : SuiteLoader.Load(file, targets.Concat(fromEnvironment).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        }
        catch (SuiteException e)
        {
            foreach (SuiteError error in e.Errors)
            {
                errors.WriteLine(error);
            }

            errors.WriteLine($"probe: {file}: {e.Errors.Count} error{(e.Errors.Count == 1 ? string.Empty : "s")}; nothing was run");
            return null;
        }
    }

    /// <summary>The environment variable that replaces target <paramref name="name"/>'s URL: <c>PROBE_TARGET_</c> and the name in upper case, other characters as '_'.</summary>
    public static string EnvironmentName(string name) =>
        "PROBE_TARGET_" + string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_'));

    /// <summary>Parses <c>NAME=URL</c> pairs; null after printing what is wrong.</summary>
    public static Dictionary<string, string>? Targets(IEnumerable<string> pairs, TextWriter errors)
    {
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in pairs)
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == pair.Length - 1)
            {
                errors.WriteLine($"probe: --target takes NAME=URL, such as demo=http://127.0.0.1:5080; found '{pair}'");
                return null;
            }

            targets[pair[..eq]] = pair[(eq + 1)..];
        }

        return targets;
    }
}
