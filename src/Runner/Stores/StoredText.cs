using System.Text;

namespace Probe.Runner.Stores;

/// <summary>
/// Text as every store takes it: a NUL character (which PostgreSQL's text and jsonb refuse) and a lone
/// UTF-16 surrogate (which has no UTF-8 form) become U+FFFD. Targets put such bytes in their
/// answers, and failure messages quote answers: a result must never be refused for its content.
/// </summary>
internal static class StoredText
{
    public static string? Clean(string? text)
    {
        if (text is null || !NeedsCleaning(text))
        {
            return text;
        }

        var clean = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                clean.Append(c).Append(text[++i]);
            }
            else
            {
                clean.Append(c == '\0' || char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return clean.ToString();
    }

    private static bool NeedsCleaning(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\0' || (char.IsLowSurrogate(c)))
            {
                return true;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return true;
                }

                i++;
            }
        }

        return false;
    }
}
