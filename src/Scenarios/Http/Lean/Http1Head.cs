using System.Buffers.Text;
using System.Text;

namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// An HTTP/1.x answer's head as the lean client reads it (RFC 9112): where it ends, its status line and the
/// headers framing needs (Content-Length, Transfer-Encoding, Connection, Location; all of them when a check
/// reads headers). Lines end in CRLF or a bare LF; a TLS record where a status line should be is named as such.
/// </summary>
internal struct Http1Head
{
    /// <summary>What a TLS record in place of a status line means.</summary>
    public const string AnsweredInTls = "the server answered in TLS, not plain HTTP: use https://";

    public int Status;
    public long? ContentLength;
    public bool Chunked;
    public bool Close;
    public string? Location;
    public Dictionary<string, string>? Headers;

    /// <summary>
    /// Where the head in <paramref name="data"/> ends: the bytes it takes with its empty line, or −1 while it is
    /// incomplete; <paramref name="headLength"/>: its lines without the empty one. Lines end in CRLF, or in a bare LF
    /// (RFC 9112 section 2.2 lets a recipient take one as a line end; curl and browsers do).
    /// </summary>
    public static int End(ReadOnlySpan<byte> data, out int headLength)
    {
        int end = data.IndexOf("\r\n\r\n"u8);
        if (end >= 0)
        {
            headLength = end + 2;
            return end + 4;
        }

        int at = data.IndexOf((byte)'\n');
        while (at >= 0 && at + 1 < data.Length)
        {
            if (data[at + 1] == (byte)'\n')
            {
                headLength = at + 1;
                return at + 2;
            }

            if (data[at + 1] == (byte)'\r' && at + 2 < data.Length && data[at + 2] == (byte)'\n')
            {
                headLength = at + 1;
                return at + 3;
            }

            int next = data[(at + 1)..].IndexOf((byte)'\n');
            at = next < 0 ? -1 : at + 1 + next;
        }

        headLength = 0;
        return -1;
    }

    /// <summary>A TLS record's header (an alert or a handshake, version 3.x): what a TLS-only port sends back to plain HTTP.</summary>
    public static bool LooksLikeTls(ReadOnlySpan<byte> received) => received is [0x15 or 0x16, 0x03, <= 0x04, ..];

    public static ReadOnlySpan<byte> WithoutCr(ReadOnlySpan<byte> line) => line is [.., (byte)'\r'] ? line[..^1] : line;

    /// <summary>Parses "HTTP/1.1 200 OK" and the header lines, each ending in LF or CRLF.</summary>
    public static void Parse(ReadOnlySpan<byte> head, bool keepHeaders, ref Http1Head result)
    {
        int lineEnd = head.IndexOf((byte)'\n');
        ReadOnlySpan<byte> status = WithoutCr(head[..lineEnd]);
        if (!IsStatusLine(status))
        {
            throw new HttpFramingException(LooksLikeTls(head) ? AnsweredInTls : "the answer does not start with an HTTP/1.x status line");
        }

        result.Status = ((status[9] - '0') * 100) + ((status[10] - '0') * 10) + (status[11] - '0');
        result.Close = status[7] == (byte)'0'; // HTTP/1.0 closes unless it says keep-alive
        result.Headers = keepHeaders ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : null;
        ReadOnlySpan<byte> rest = head[(lineEnd + 1)..];
        bool encoded = false;
        while (rest.Length > 0)
        {
            lineEnd = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = WithoutCr(rest[..lineEnd]);
            rest = rest[(lineEnd + 1)..];
            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            ReadOnlySpan<byte> name = line[..colon];
            ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8); // optional whitespace: spaces and tabs
            if (Ascii.EqualsIgnoreCase(name, "content-length"u8))
            {
                long length = ParseContentLength(value);
                if (result.ContentLength is { } before && before != length)
                {
                    throw new HttpFramingException($"the answer has Content-Length {before} and {length}");
                }

                result.ContentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8))
            {
                // Only a final chunked coding frames the body (names are case-insensitive); with another last,
                // the body runs to the end of the connection and no Content-Length counts (RFC 9112 section 6.3).
                result.Chunked = Ascii.EqualsIgnoreCase(LastCoding(value), "chunked"u8);
                encoded = true;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                // A list of options (RFC 9110 section 7.6.1): "keep-alive, close" closes too.
                result.Close = HasToken(value, "close"u8) || (result.Close && !HasToken(value, "keep-alive"u8));
            }
            else if (Ascii.EqualsIgnoreCase(name, "location"u8))
            {
                result.Location = Encoding.ASCII.GetString(value);
            }

            if (result.Headers is { } headers)
            {
                string key = Encoding.ASCII.GetString(name);
                string text = Encoding.UTF8.GetString(value);
                headers[key] = headers.TryGetValue(key, out string? before) ? before + ", " + text : text;
            }
        }

        if (encoded && !result.Chunked)
        {
            result.ContentLength = null;
        }
    }

    /// <summary>Whether a comma-separated header value (Connection, for one) holds <paramref name="token"/>, in any case.</summary>
    public static bool HasToken(ReadOnlySpan<byte> value, ReadOnlySpan<byte> token)
    {
        foreach (Range part in value.Split((byte)','))
        {
            if (Ascii.EqualsIgnoreCase(value[part].Trim(" \t"u8), token))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"HTTP/1.x", a space, a three-digit code from 100 and, unless the line ends there, a space before the reason (RFC 9112 section 4).</summary>
    private static bool IsStatusLine(ReadOnlySpan<byte> line) =>
        line.Length >= 12 && line.StartsWith("HTTP/1."u8) && char.IsAsciiDigit((char)line[7]) && line[8] == (byte)' '
        && line[9] is >= (byte)'1' and <= (byte)'9' && char.IsAsciiDigit((char)line[10]) && char.IsAsciiDigit((char)line[11])
        && (line.Length == 12 || line[12] == (byte)' ');

    /// <summary>The last transfer coding of a Transfer-Encoding value, without its parameters.</summary>
    private static ReadOnlySpan<byte> LastCoding(ReadOnlySpan<byte> value)
    {
        ReadOnlySpan<byte> last = value[(value.LastIndexOf((byte)',') + 1)..];
        int parameters = last.IndexOf((byte)';');
        return (parameters < 0 ? last : last[..parameters]).Trim(" \t"u8);
    }

    /// <summary>A Content-Length value: digits, or a list of the same number (RFC 9112 section 6.3, point 5).</summary>
    private static long ParseContentLength(ReadOnlySpan<byte> value)
    {
        long? length = null;
        foreach (Range part in value.Split((byte)','))
        {
            ReadOnlySpan<byte> digits = value[part].Trim(" \t"u8);
            if (digits.Length == 0 || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || !Utf8Parser.TryParse(digits, out long one, out int used) || used != digits.Length)
            {
                throw new HttpFramingException($"the answer's Content-Length '{Encoding.ASCII.GetString(value)}' is not a number of bytes");
            }

            if (length is { } before && before != one)
            {
                throw new HttpFramingException($"the answer's Content-Length '{Encoding.ASCII.GetString(value)}' names different sizes");
            }

            length = one;
        }

        return length!.Value;
    }
}
