using System.Globalization;
using System.Text;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// Writes the Prometheus text exposition format 0.0.4: <c># HELP</c> and <c># TYPE</c> once per family,
/// then samples <c>name{label="value"} value</c>. Label values escape backslash, double quote and
/// line feed; HELP text escapes backslash and line feed (as the format's ABNF requires); numbers
/// are written in the invariant culture, with <c>+Inf</c>, <c>-Inf</c> and <c>NaN</c> spelled as Prometheus reads them.
/// </summary>
public sealed class TextExposition
{
    /// <summary>The content type of this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _out = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);

    /// <summary>Starts a metric family; a family may be started only once.</summary>
    /// <exception cref="InvalidOperationException">The family was written already.</exception>
    public TextExposition Family(string name, string type, string help)
    {
        if (!_families.Add(name))
        {
            throw new InvalidOperationException($"metric family '{name}' was already written; each family appears once");
        }

        _out.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _out.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        return this;
    }

    /// <summary>Writes one sample; label pairs are (name, value).</summary>
    public TextExposition Sample(string name, ReadOnlySpan<(string Name, string Value)> labels, double value)
    {
        _out.Append(name);
        if (labels.Length > 0)
        {
            _out.Append('{');
            for (int i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _out.Append(',');
                }

                _out.Append(labels[i].Name).Append("=\"");
                AppendEscapedLabel(labels[i].Value);
                _out.Append('"');
            }

            _out.Append('}');
        }

        _out.Append(' ').Append(Format(value)).Append('\n');
        return this;
    }

    public override string ToString() => _out.ToString();

    /// <summary>A number as Prometheus reads it.</summary>
    public static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        double.NaN => "NaN",
        _ when value == Math.Floor(value) && Math.Abs(value) < 1e15 => ((long)value).ToString(CultureInfo.InvariantCulture),
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private void AppendEscapedLabel(string value)
    {
        foreach (char c in value)
        {
            _ = c switch
            {
                '\\' => _out.Append("\\\\"),
                '"' => _out.Append("\\\""),
                '\n' => _out.Append("\\n"),
                _ => _out.Append(c),
            };
        }
    }

    // In HELP, only backslash and line feed are escaped; a double quote stays as it is.
    private static string EscapeHelp(string help) => help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
