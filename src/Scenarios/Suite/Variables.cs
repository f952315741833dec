using Probe.Scenarios.Steps.Http;
using System.Text.RegularExpressions;

namespace Probe.Scenarios.Suite;

/// <summary>Sequence variables: <c>${vars.NAME}</c> in a step's path, query, headers or body, filled from earlier steps' extracts.</summary>
public static partial class Variables
{
    /// <summary>Whether <paramref name="text"/> uses a variable.</summary>
    public static bool Uses(string text) => Reference().IsMatch(text);

    /// <summary>Replaces every <c>${vars.NAME}</c> with its value.</summary>
    /// <exception cref="KeyNotFoundException">A variable has no value in this iteration.</exception>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values) =>
        Reference().Replace(text, m => values.TryGetValue(m.Groups["name"].Value, out string? v)
            ? v
            : throw new KeyNotFoundException($"${{vars.{m.Groups["name"].Value}}} has no value: the step that extracts it did not run or did not find it"));

    /// <summary>The variables a step's request uses.</summary>
    internal static IEnumerable<string> Referenced(HttpStepSpec step)
    {
        IEnumerable<string> texts = [step.Path, .. step.Headers.Values, .. step.Query.Values, step.Json?.GetRawText() ?? string.Empty, step.Text ?? string.Empty];
        return texts.SelectMany(Names).Distinct();
    }

    /// <summary>The variables <paramref name="text"/> uses.</summary>
    internal static IEnumerable<string> Names(string text) => Reference().Matches(text).Select(m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{vars\.(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
