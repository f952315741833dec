using Acornima.Ast;

namespace Probe.Runner.Import.K6;

/// <summary>
/// What an import found to say about the script: constructs it cannot convert (the import fails,
/// each listed with line and column) and notes on what it converted approximately or left out.
/// </summary>
internal sealed class K6Report
{
    private readonly string _source;
    private readonly string _file;

    public K6Report(string source, string file)
    {
        _source = source;
        _file = file;
    }

    private readonly List<(int Line, int Column, string Text)> _unconvertible = [];

    /// <summary>Constructs with no Probe counterpart, in script order: any one fails the import.</summary>
    public IReadOnlyList<string> Unconvertible => _unconvertible.OrderBy(u => u.Line).ThenBy(u => u.Column).Select(u => u.Text).ToArray();

    /// <summary>What was converted approximately, ignored or needs the user's attention.</summary>
    public List<string> Notes { get; } = [];

    /// <summary>Records a construct the import cannot convert, at <paramref name="node"/>.</summary>
    public void Cannot(Node node, string why) =>
        _unconvertible.Add((node.Location.Start.Line, node.Location.Start.Column, $"{At(node)}: {Excerpt(node)}: {why}"));

    /// <summary>Records a note about <paramref name="node"/>.</summary>
    public void Note(Node node, string what) => Notes.Add($"{At(node)}: {what}");

    /// <summary>FILE:LINE:COLUMN of the node (both from 1, as editors count).</summary>
    public string At(Node node) => $"{_file}:{node.Location.Start.Line}:{node.Location.Start.Column + 1}";

    /// <summary>The node's source text, on one line and cut short.</summary>
    public string Excerpt(Node node)
    {
        string text = _source[node.Start..node.End];
        int line = text.IndexOfAny(['\r', '\n']);
        string first = line < 0 ? text : text[..line] + " …";
        return first.Length <= 60 ? first : first[..57] + "…";
    }
}
