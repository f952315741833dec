using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Keeps the suite's resolved secrets out of everything Probe writes: a target that echoes a header,
/// a token in its error body, a check quoting the answer must not carry a secret into a report, a
/// log, a store or a dead-letter file. Every secret value the suite references (as it is, URL-encoded,
/// JSON-escaped, and the Basic credentials of a target URL) is replaced by its reference,
/// <c>${env:NAME}</c>. Values shorter than 4 characters are not secrets worth the mangled text.
/// </summary>
public sealed class SecretRedactor
{
    private const int MinLength = 4;

    private readonly (string Value, string Reference)[] _values;

    private SecretRedactor((string Value, string Reference)[] values) => _values = values;

    /// <summary>A redactor that changes nothing.</summary>
    public static SecretRedactor None { get; } = new([]);

    /// <summary>The redactor of <paramref name="suite"/>'s secrets, resolved from the environment now.</summary>
    public static SecretRedactor For(SuiteDefinition suite)
    {
        ArgumentNullException.ThrowIfNull(suite);
        var values = new List<(string, string)>();
        foreach (string name in suite.SecretNames)
        {
            if (Environment.GetEnvironmentVariable(name) is { Length: >= MinLength } value)
            {
                string reference = $"${{env:{name}}}";
                foreach (string form in Forms(value))
                {
                    values.Add((form, reference));
                }
            }
        }

        foreach (TargetSpec target in suite.Targets.Values.Where(t => t.Credentials is not null))
        {
            string resolved = Secrets.Resolve(target.Credentials!);
            if (resolved != target.Credentials)
            {
                values.Add((Convert.ToBase64String(Encoding.UTF8.GetBytes(resolved)), $"<credentials of target {target.Name}>"));
            }
        }

        // Longest first, so a secret that holds another is replaced whole.
        return new SecretRedactor(values.Where(v => v.Item1.Length >= MinLength).Distinct().OrderByDescending(v => v.Item1.Length).ToArray());
    }

    /// <summary><paramref name="text"/> with every secret replaced by its reference.</summary>
    public string? Redact(string? text)
    {
        if (text is null || _values.Length == 0)
        {
            return text;
        }

        foreach ((string value, string reference) in _values)
        {
            if (text.Contains(value, StringComparison.Ordinal))
            {
                text = text.Replace(value, reference, StringComparison.Ordinal);
            }
        }

        return text;
    }

    private static IEnumerable<string> Forms(string value) =>
    [
        value,
        Uri.EscapeDataString(value),
        JsonEncodedText.Encode(value).ToString(),
        JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString(),
    ];
}
