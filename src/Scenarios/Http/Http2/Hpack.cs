using System.Text;

namespace Probe.Scenarios.Http.Http2;

/// <summary>
/// HPACK (RFC 7541) for the lean HTTP/2 client. Requests are written once per step as literals that
/// never enter the server's table (a static-table name where there is one), so no encoder state is
/// kept. Answers are decoded in full — indexed fields, literals with and without indexing, table size
/// updates, Huffman strings — keeping the connection's dynamic table in step with the server's.
/// </summary>
internal static class Hpack
{
    /// <summary>The static table (RFC 7541 Appendix A), from index 1.</summary>
    internal static readonly (string Name, string Value)[] Static =
    [
        (string.Empty, string.Empty), (":authority", string.Empty), (":method", "GET"), (":method", "POST"), (":path", "/"), (":path", "/index.html"),
        (":scheme", "http"), (":scheme", "https"), (":status", "200"), (":status", "204"), (":status", "206"), (":status", "304"), (":status", "400"),
        (":status", "404"), (":status", "500"), ("accept-charset", string.Empty), ("accept-encoding", "gzip, deflate"), ("accept-language", string.Empty),
        ("accept-ranges", string.Empty), ("accept", string.Empty), ("access-control-allow-origin", string.Empty), ("age", string.Empty), ("allow", string.Empty),
        ("authorization", string.Empty), ("cache-control", string.Empty), ("content-disposition", string.Empty), ("content-encoding", string.Empty),
        ("content-language", string.Empty), ("content-length", string.Empty), ("content-location", string.Empty), ("content-range", string.Empty),
        ("content-type", string.Empty), ("cookie", string.Empty), ("date", string.Empty), ("etag", string.Empty), ("expect", string.Empty), ("expires", string.Empty),
        ("from", string.Empty), ("host", string.Empty), ("if-match", string.Empty), ("if-modified-since", string.Empty), ("if-none-match", string.Empty),
        ("if-range", string.Empty), ("if-unmodified-since", string.Empty), ("last-modified", string.Empty), ("link", string.Empty), ("location", string.Empty),
        ("max-forwards", string.Empty), ("proxy-authenticate", string.Empty), ("proxy-authorization", string.Empty), ("range", string.Empty), ("referer", string.Empty),
        ("refresh", string.Empty), ("retry-after", string.Empty), ("server", string.Empty), ("set-cookie", string.Empty), ("strict-transport-security", string.Empty),
        ("transfer-encoding", string.Empty), ("user-agent", string.Empty), ("vary", string.Empty), ("via", string.Empty), ("www-authenticate", string.Empty),
    ];

    private static readonly string[] ConnectionSpecific = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host", "te"];

    /// <summary>
    /// A request's header block: the pseudo-headers, then each header with its name in lower case
    /// (connection-specific ones left out, as HTTP/2 forbids them; a Host header becomes :authority).
    /// </summary>
    public static byte[] EncodeRequest(string method, string scheme, string authority, string path, IEnumerable<KeyValuePair<string, string>> headers)
    {
        var block = new List<byte>(128);
        KeyValuePair<string, string>[] own = headers.ToArray();
        string host = own.FirstOrDefault(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value ?? authority;
        Field(block, ":method", method);
        Field(block, ":scheme", scheme);
        Field(block, ":authority", host);
        Field(block, ":path", path);
        foreach ((string name, string value) in own)
        {
            string lower = name.ToLowerInvariant();
            if (!ConnectionSpecific.Contains(lower))
            {
                Field(block, lower, value);
            }
        }

        return [.. block];
    }

    /// <summary>One field: fully indexed when the static table has name and value, else a literal never indexed (with the name's index when it has one).</summary>
    private static void Field(List<byte> block, string name, string value)
    {
        int nameIndex = 0;
        for (int i = 1; i < Static.Length; i++)
        {
            if (Static[i].Name == name)
            {
                if (Static[i].Value == value)
                {
                    Integer(block, 0x80, 7, i);
                    return;
                }

                nameIndex = nameIndex == 0 ? i : nameIndex;
            }
        }

        Integer(block, 0x10, 4, nameIndex); // literal never indexed
        if (nameIndex == 0)
        {
            String(block, name);
        }

        String(block, value);
    }

    private static void String(List<byte> block, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        Integer(block, 0x00, 7, bytes.Length); // raw, not Huffman
        block.AddRange(bytes);
    }

    /// <summary>An integer with an N-bit prefix (RFC 7541 section 5.1), the first byte's high bits set to <paramref name="flags"/>.</summary>
    internal static void Integer(List<byte> block, byte flags, int prefix, int value)
    {
        int max = (1 << prefix) - 1;
        if (value < max)
        {
            block.Add((byte)(flags | value));
            return;
        }

        block.Add((byte)(flags | max));
        value -= max;
        while (value >= 128)
        {
            block.Add((byte)((value & 0x7f) | 0x80));
            value >>= 7;
        }

        block.Add((byte)value);
    }
}

/// <summary>
/// One connection's HPACK decoder: the dynamic table the server's encoder fills (at most 4,096
/// octets, the default Probe leaves in place), read field by field.
/// </summary>
internal sealed class HpackDecoder
{
    /// <summary>
    /// The most a header block may hold, compressed and decoded (names and values plus 32 octets a field, as RFC 9113
    /// counts SETTINGS_MAX_HEADER_LIST_SIZE): 64 KB, the HTTP/1.1 head's limit too. A few bytes that name a large table
    /// entry again and again would otherwise decode to megabytes.
    /// </summary>
    public const int MaxHeaderListSize = 64 * 1024;

    private const int MaxTableSize = 4096;
    private readonly List<(string Name, string Value, int Size)> _table = []; // newest first
    private readonly List<byte> _scratch = new(256);
    private int _size;
    private int _limit = MaxTableSize;

    /// <summary>Decodes a whole header block, calling <paramref name="field"/> for each field; throws <see cref="HttpFramingException"/> on a malformed block.</summary>
    public void Decode(ReadOnlySpan<byte> block, Action<string, string> field)
    {
        int at = 0;
        long decoded = 0;
        while (at < block.Length)
        {
            byte b = block[at];
            string name, value;
            if ((b & 0x80) != 0)
            {
                (name, value) = Entry(ReadInteger(block, ref at, 7));
            }
            else if ((b & 0xc0) == 0x40)
            {
                (name, value) = Literal(block, ref at, 6);
                Insert(name, value);
            }
            else if ((b & 0xe0) == 0x20)
            {
                int size = ReadInteger(block, ref at, 5);
                if (size > MaxTableSize)
                {
                    throw new HttpFramingException($"HPACK: a dynamic table size update to {size} passes the {MaxTableSize} octets allowed");
                }

                _limit = size;
                Evict(0);
                continue;
            }
            else
            {
                (name, value) = Literal(block, ref at, 4); // without indexing, or never indexed
            }

            decoded += name.Length + value.Length + 32;
            if (decoded > MaxHeaderListSize)
            {
                throw new HttpFramingException($"HPACK: the answer's headers decode to more than {MaxHeaderListSize / 1024} KB");
            }

            field(name, value);
        }
    }

    private (string Name, string Value) Literal(ReadOnlySpan<byte> block, ref int at, int prefix)
    {
        int index = ReadInteger(block, ref at, prefix);
        string name = index == 0 ? ReadString(block, ref at) : Entry(index).Name;
        return (name, ReadString(block, ref at));
    }

    private (string Name, string Value) Entry(int index)
    {
        if (index >= 1 && index < Hpack.Static.Length)
        {
            return Hpack.Static[index];
        }

        int dynamic = index - Hpack.Static.Length;
        if (index == 0 || dynamic >= _table.Count)
        {
            throw new HttpFramingException($"HPACK: the answer names table entry {index}, which does not exist");
        }

        (string name, string value, _) = _table[dynamic];
        return (name, value);
    }

    private void Insert(string name, string value)
    {
        int size = Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(value) + 32;
        Evict(size);
        if (size <= _limit)
        {
            _table.Insert(0, (name, value, size));
            _size += size;
        }
    }

    /// <summary>Drops the oldest entries until <paramref name="room"/> more octets fit.</summary>
    private void Evict(int room)
    {
        while (_table.Count > 0 && _size + room > _limit)
        {
            _size -= _table[^1].Size;
            _table.RemoveAt(_table.Count - 1);
        }
    }

    private string ReadString(ReadOnlySpan<byte> block, ref int at)
    {
        if (at >= block.Length)
        {
            throw new HttpFramingException("HPACK: a header block ends inside a field");
        }

        bool huffman = (block[at] & 0x80) != 0;
        int length = ReadInteger(block, ref at, 7);
        if (length > block.Length - at)
        {
            throw new HttpFramingException("HPACK: a string runs past the end of the header block");
        }

        ReadOnlySpan<byte> raw = block.Slice(at, length);
        at += length;
        if (!huffman)
        {
            return Encoding.UTF8.GetString(raw);
        }

        _scratch.Clear();
        if (!Huffman.TryDecode(raw, _scratch))
        {
            throw new HttpFramingException("HPACK: a Huffman-coded string is not valid");
        }

        return Encoding.UTF8.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_scratch));
    }

    private static int ReadInteger(ReadOnlySpan<byte> block, ref int at, int prefix)
    {
        if (at >= block.Length)
        {
            throw new HttpFramingException("HPACK: a header block ends inside a field");
        }

        int max = (1 << prefix) - 1;
        int value = block[at++] & max;
        if (value < max)
        {
            return value;
        }

        for (int shift = 0; shift <= 21; shift += 7)
        {
            if (at >= block.Length)
            {
                throw new HttpFramingException("HPACK: a header block ends inside an integer");
            }

            byte b = block[at++];
            value += (b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new HttpFramingException("HPACK: an integer is too large");
    }
}
