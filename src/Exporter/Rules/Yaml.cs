using System.Globalization;
using System.Text;

namespace Probe.Exporter.Rules;

/// <summary>The little YAML the rules files need, written directly: mappings, lists, and double-quoted strings.</summary>
internal sealed class Yaml
{
    private readonly StringBuilder _out = new();

    public Yaml Comment(string text)
    {
        _out.Append("# ").Append(text).Append('\n');
        return this;
    }

    /// <summary>A line at <paramref name="indent"/> levels of two spaces: <c>key: value</c>, <c>key:</c>, or a list item with <paramref name="item"/>.</summary>
    public Yaml Line(int indent, string key, string? value = null, bool item = false)
    {
        _out.Append(' ', indent * 2);
        if (item)
        {
            _out.Append("- ");
        }

        _out.Append(key).Append(':');
        if (value is not null)
        {
            _out.Append(' ').Append(value);
        }

        _out.Append('\n');
        return this;
    }

    /// <summary>A line written as it is (ends with a line feed).</summary>
    public Yaml Raw(string line)
    {
        _out.Append(line);
        return this;
    }

    public override string ToString() => _out.ToString();

    /// <summary>A YAML double-quoted scalar: backslash and double quote escaped.</summary>
    public static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    public static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}
