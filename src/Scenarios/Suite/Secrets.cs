using System.Text.RegularExpressions;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Secrets appear in a suite only by reference, <c>${env:RAG_API_KEY}</c>, and are resolved at start,
/// never written to any output. Validation checks that every reference is well formed and set.
/// </summary>
public static partial class Secrets
{
    /// <summary>Replaces every <c>${env:NAME}</c> with the variable's value.</summary>
    /// <exception cref="InvalidOperationException">A variable is not set.</exception>
    public static string Resolve(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Reference().Replace(text, m => Environment.GetEnvironmentVariable(m.Groups["name"].Value)
            ?? throw new InvalidOperationException($"secret ${{env:{m.Groups["name"].Value}}} is not set"));
    }

    /// <summary>Whether <paramref name="text"/> holds a secret reference (so it must never be shown resolved).</summary>
    public static bool HasReference(string text) => text.Contains("${", StringComparison.Ordinal);

    /// <summary>Reports malformed or unset references in <paramref name="text"/>; returns the text with them resolved for syntax checks.</summary>
    /// <param name="text">The text to check.</param>
    /// <param name="at">Where it is, for errors.</param>
    /// <param name="builtIns">Whether <c>${copy}</c> and <c>${iteration}</c> are filled here (http steps); elsewhere they are reported.</param>
    internal static string Check(string text, SuiteNode at, bool builtIns = false)
    {
        if (!builtIns && Variables.UsesBuiltIns(text))
        {
            at.Error("${copy} and ${iteration} are filled in an http step's path, query, headers and body only");
        }

        foreach (Match m in Any().Matches(text))
        {
            Match good = Reference().Match(m.Value);
            if (!good.Success)
            {
                at.Error($"'{m.Value}' is not a secret reference; write ${{env:NAME}} with NAME an environment variable");
            }
            else if (Environment.GetEnvironmentVariable(good.Groups["name"].Value) is null)
            {
                at.Error($"secret {m.Value} is not set: export {good.Groups["name"].Value} before the run");
            }
            else
            {
                at.Diagnostics.Secrets.Add(good.Groups["name"].Value);
            }
        }

        return Reference().Replace(text, "secret");
    }

    [GeneratedRegex(@"\$\{env:(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    // ${vars.NAME} are sequence variables, ${copy} and ${iteration} built-in ones: not secrets.
    [GeneratedRegex(@"\$\{(?!vars\.|copy\}|iteration\})[^}]*\}?")]
    private static partial Regex Any();
}
