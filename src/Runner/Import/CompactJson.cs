using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Probe.Runner.Import;

/// <summary>
/// JSON as a person would write a suite: an object or array that fits on one line stays on one line
/// (<c>{ "duration": "2m", "target": 10 }</c>), larger ones are indented by two spaces.
/// </summary>
internal static class CompactJson
{
    private const int LineWidth = 100;
    private static readonly JsonSerializerOptions OneLine = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(JsonNode node)
    {
        var text = new StringBuilder();
        Write(node, text, 0);
        return text.Append('\n').ToString();
    }

    private static void Write(JsonNode? node, StringBuilder text, int indent)
    {
        string flat = Flat(node);
        if (node is not (JsonObject or JsonArray) || indent * 2 + flat.Length <= LineWidth)
        {
            text.Append(flat);
            return;
        }

        string inner = new(' ', (indent + 1) * 2);
        bool isObject = node is JsonObject;
        text.Append(isObject ? "{\n" : "[\n");
        IEnumerable<(string? Key, JsonNode? Value)> members = node is JsonObject o
            ? o.Select(m => ((string?)m.Key, m.Value))
            : ((JsonArray)node).Select(v => ((string?)null, v));
        bool first = true;
        foreach ((string? key, JsonNode? value) in members)
        {
            text.Append(first ? string.Empty : ",\n").Append(inner);
            first = false;
            if (key is not null)
            {
                text.Append(JsonSerializer.Serialize(key, OneLine)).Append(": ");
            }

            Write(value, text, indent + 1);
        }

        text.Append('\n').Append(' ', indent * 2).Append(isObject ? '}' : ']');
    }

    /// <summary>The node on one line, with a space inside braces and after commas and colons.</summary>
    private static string Flat(JsonNode? node) => node switch
    {
        JsonObject o when o.Count == 0 => "{}",
        JsonObject o => "{ " + string.Join(", ", o.Select(m => $"{JsonSerializer.Serialize(m.Key, OneLine)}: {Flat(m.Value)}")) + " }",
        JsonArray a => "[" + string.Join(", ", a.Select(Flat)) + "]",
        null => "null",
        _ => node.ToJsonString(OneLine),
    };
}
