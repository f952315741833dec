using System.Globalization;
using System.Text;

namespace Probe.Engine.Text;

/// <summary>
/// Text a target sent, made safe to show anywhere Probe writes it (a terminal, Markdown, JUnit XML, a
/// metric label): control characters — which a terminal obeys (ESC sequences), XML refuses (BEL, NUL)
/// and Markdown shows as garbage — become visible escapes such as <c>\u0007</c>, and line breaks
/// <c>\n</c>; everything else is kept as it was.
/// </summary>
public static class Printable
{
    /// <summary><paramref name="text"/> with every control character (C0, DEL, C1, U+2028/U+2029) and lone surrogate escaped; the same instance when it has none.</summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int first = FirstUnprintable(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16).Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                escaped.Append(c).Append(text[++i]);
            }
            else if (IsUnprintable(c))
            {
                _ = c switch
                {
                    '\n' => escaped.Append("\\n"),
                    '\r' => escaped.Append("\\r"),
                    '\t' => escaped.Append("\\t"),
                    _ => escaped.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)),
                };
            }
            else
            {
                escaped.Append(c);
            }
        }

        return escaped.ToString();
    }

    private static int FirstUnprintable(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (IsUnprintable(c))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsUnprintable(char c) => char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' or '\uFFFE' or '\uFFFF';
}
