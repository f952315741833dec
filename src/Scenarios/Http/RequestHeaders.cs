namespace Probe.Scenarios.Http;

/// <summary>A step's request headers as both lean clients send them: the step's own (its Content-Length dropped), then User-Agent, Content-Type and Content-Length where the step gives none.</summary>
internal static class RequestHeaders
{
    public static List<KeyValuePair<string, string>> Complete(IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        // The step's own User-Agent and Content-Type win over ours, as with HttpClient; Content-Length is always ours.
        List<KeyValuePair<string, string>> all = headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
        bool Has(string name) => all.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (!Has("User-Agent"))
        {
            all.Add(KeyValuePair.Create("User-Agent", "probe"));
        }

        if (body is not null)
        {
            if (!Has("Content-Type"))
            {
                all.Add(KeyValuePair.Create("Content-Type", contentType!));
            }

            all.Add(KeyValuePair.Create("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return all;
    }

    /// <summary>
    /// Whether <paramref name="name"/> is an RFC 9110 token (letters, digits and <c>!#$%&amp;'*+-.^_`|~</c>), as a header
    /// name must be.
    /// </summary>
    public static bool IsToken(string name) => name.Length > 0 && name.AsSpan().IndexOfAnyExcept(TokenChars) < 0;

    /// <summary>
    /// Whether a header value may be sent: CR, LF and NUL are not allowed (RFC 9110 section 5.5), since the first
    /// two would end the header and start another one the suite never wrote.
    /// </summary>
    public static bool IsSendable(string value) => value.AsSpan().IndexOfAny(Unsendable) < 0;

    /// <summary>
    /// Throws when a filled header value may not be sent (the request then fails with reason <c>check</c>, unsent):
    /// a value from an earlier answer or the environment is not the suite's text, which was checked when it was read.
    /// </summary>
    public static void CheckFilled(IEnumerable<KeyValuePair<string, string>> headers)
    {
        foreach ((string name, string value) in headers)
        {
            if (!IsSendable(value))
            {
                throw new UnsendableHeaderException($"header {name}: its filled value holds CR, LF or NUL, which would end the header and start another; the request was not sent");
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private static readonly System.Buffers.SearchValues<char> Unsendable = System.Buffers.SearchValues.Create("\r\n\0");
}
