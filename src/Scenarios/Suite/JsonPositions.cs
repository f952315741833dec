using System.Text;
using System.Text.Json;

namespace Probe.Scenarios.Suite;

/// <summary>
/// The line and column of every value in a JSON text, by JSON path (<c>$.scenarios.smoke.steps[0]</c>),
/// so that validation errors found on the parsed document can point into the file.
/// </summary>
internal sealed class JsonPositions
{
    private readonly Dictionary<string, (int Line, int Column)> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Line, int Column)> _values = new(StringComparer.Ordinal);

    public static JsonPositions Index(ReadOnlySpan<byte> utf8)
    {
        var positions = new JsonPositions();
        int[] lineStarts = LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var path = new Stack<Frame>();
        string? pendingName = null;
        while (reader.Read())
        {
            (int line, int column) = LineColumn(lineStarts, utf8, (int)reader.TokenStartIndex);
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    pendingName = NameOf(ref reader);
                    if (path.TryPeek(out Frame parent))
                    {
                        // A field's own position is its name: "unknown field" points there.
                        positions._names.TryAdd(parent.Path + Member(pendingName!), (line, column));
                    }

                    continue;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    path.Pop();
                    continue;
            }

            string here = path.Count == 0 ? "$" : NextPath(path, pendingName);
            pendingName = null;
            positions._values.TryAdd(here, (line, column));
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                path.Push(new Frame(here, reader.TokenType == JsonTokenType.StartArray));
            }
        }

        return positions;
    }

    /// <summary>The position of <paramref name="path"/>'s value (or of its name, with <paramref name="name"/>), else the nearest parent's.</summary>
    public (int Line, int Column) Of(string path, bool name = false)
    {
        string p = path;
        while (true)
        {
            if (name && _names.TryGetValue(p, out var n))
            {
                return n;
            }

            if (_values.TryGetValue(p, out var v))
            {
                return v;
            }

            int cut = Math.Max(p.LastIndexOf('.'), p.LastIndexOf('['));
            if (cut <= 0)
            {
                return (1, 1);
            }

            p = p[..cut];
            name = false;
        }
    }

    public static string Member(string name) =>
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-') && name.Length > 0 ? "." + name
        : $"[\"{string.Concat(name.Select(c => c == '"' ? "\\\"" : char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()))}\"]";

    /// <summary>A property name; its raw text when it does not decode (an escaped lone surrogate), which the checks then report.</summary>
    private static string NameOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return System.Text.Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private static string NextPath(Stack<Frame> path, string? name)
    {
        Frame parent = path.Pop();
        string here;
        if (parent.IsArray)
        {
            here = $"{parent.Path}[{parent.Count}]";
            parent = parent with { Count = parent.Count + 1 };
        }
        else
        {
            here = parent.Path + Member(name ?? "?");
        }

        path.Push(parent);
        return here;
    }

    private static int[] LineStarts(ReadOnlySpan<byte> utf8)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n')
            {
                starts.Add(i + 1);
            }
        }

        return starts.ToArray();
    }

    internal static (int Line, int Column) LineColumn(int[] lineStarts, ReadOnlySpan<byte> utf8, int offset)
    {
        int line = Array.BinarySearch(lineStarts, offset);
        line = line >= 0 ? line : ~line - 1;
        int column = Encoding.UTF8.GetCharCount(utf8[lineStarts[line]..offset]) + 1;
        return (line + 1, column);
    }

    private readonly record struct Frame(string Path, bool IsArray, int Count = 0);
}
