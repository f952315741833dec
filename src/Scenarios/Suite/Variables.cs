using Probe.Scenarios.Steps.Http;
using System.Text.RegularExpressions;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Variables in a step's path, query, headers or body: sequence variables, <c>${vars.NAME}</c>, filled from
/// earlier steps' extracts; and everywhere, <c>${copy}</c> (the virtual user's number, from 0: k6's <c>__VU</c>,
/// NBomber's instance number) and <c>${iteration}</c> (the iteration's number in the scenario, from 0).
/// </summary>
public static partial class Variables
{
    /// <summary>Whether <paramref name="text"/> uses a variable.</summary>
    public static bool Uses(string text) => Reference().IsMatch(text);

    /// <summary>Whether <paramref name="text"/> uses <c>${copy}</c> or <c>${iteration}</c>.</summary>
    internal static bool UsesBuiltIns(string text) => BuiltIn().IsMatch(text);

    /// <summary>Replaces <c>${copy}</c> and <c>${iteration}</c> with <paramref name="copy"/> and <paramref name="iteration"/>.</summary>
    internal static string FillBuiltIns(string text, int copy, long iteration) => text.Contains("${", StringComparison.Ordinal)
        ? BuiltIn().Replace(text, m => (m.Groups["name"].Value == "copy" ? copy : iteration).ToString(System.Globalization.CultureInfo.InvariantCulture))
        : text;

    /// <summary>Replaces every <c>${vars.NAME}</c> with its value.</summary>
    /// <exception cref="KeyNotFoundException">A variable has no value in this iteration.</exception>
    public static string Fill(string text, IReadOnlyDictionary<string, string> values) => Fill(text, values, null);

    /// <summary>As <see cref="Fill(string, IReadOnlyDictionary{string, string})"/>, each value written through <paramref name="encode"/> (JSON-escaped inside a JSON body).</summary>
    internal static string Fill(string text, IReadOnlyDictionary<string, string> values, Func<string, string>? encode) =>
        Reference().Replace(text, m => values.TryGetValue(m.Groups["name"].Value, out string? v)
            ? encode is null ? v : encode(v)
            : throw new KeyNotFoundException($"${{vars.{m.Groups["name"].Value}}} has no value: the step that extracts it did not run or did not find it"));

    /// <summary>The variables a step's request uses.</summary>
    internal static IEnumerable<string> Referenced(HttpStepSpec step) => Filled(step).SelectMany(Names).Distinct();

    /// <summary>Whether the step's request uses <c>${copy}</c> or <c>${iteration}</c>.</summary>
    internal static bool UsesBuiltIns(HttpStepSpec step) => Filled(step).Any(UsesBuiltIns);

    /// <summary>The texts of a step's request that variables are filled into: path, headers, query and body.</summary>
    private static IEnumerable<string> Filled(HttpStepSpec step) =>
        [step.Path, .. step.Headers.Values, .. step.Query.Values, step.Json?.GetRawText() ?? string.Empty, step.Text ?? string.Empty];

    /// <summary>The variables <paramref name="text"/> uses.</summary>
    internal static IEnumerable<string> Names(string text) => Reference().Matches(text).Select(m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{vars\.(?<name>[A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\$\{(?<name>copy|iteration)\}")]
    private static partial Regex BuiltIn();
}
