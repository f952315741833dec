using System.Globalization;
using System.Text;

namespace Probe.Exporter.Reports.Csv;

/// <summary>
/// Rows of an RFC 4180 table: comma-separated, CRLF line ends, a field quoted (quotes doubled) when it
/// holds a comma, a quote or a line break; numbers in the invariant culture, so a spreadsheet in any
/// locale and any CSV parser read the same figures.
/// </summary>
internal sealed class CsvTable
{
    private readonly StringBuilder _text = new();

    public CsvTable(params string[] header) => Row(header);

    public CsvTable Row(params object?[] fields)
    {
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                _text.Append(',');
            }

            string field = fields[i] switch
            {
                null => string.Empty,
                double d when double.IsNaN(d) => string.Empty,
                double d => d.ToString("0.###", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var other => other.ToString() ?? string.Empty,
            };
            _text.Append(field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field);
        }

        _text.Append("\r\n");
        return this;
    }

    /// <summary>Milliseconds from nanoseconds, to the microsecond.</summary>
    public static double Ms(long nanoseconds) => nanoseconds / 1e6;

    public void WriteTo(Stream output) => output.Write(new UTF8Encoding(false).GetBytes(_text.ToString()));
}
