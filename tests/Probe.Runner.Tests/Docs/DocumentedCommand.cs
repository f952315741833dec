using System.Text;
using System.Text.RegularExpressions;

namespace Probe.Runner.Tests.Docs;

/// <summary>
/// One shell command line shown in README.md or docs/ (a line of a <c>```sh</c> block, continuation
/// lines joined): its text without the trailing comment, the exit code the comment promises
/// (<c># exits 1: …</c>; 0 when it says nothing), and whether it runs in the background (<c>&amp;</c>).
/// </summary>
internal sealed partial record DocumentedCommand(string File, int Line, string Text, string Comment, int ExpectedExit, bool Background)
{
    /// <summary>The commands of every <c>sh</c>/<c>bash</c> block of <paramref name="markdown"/>, block by block.</summary>
    public static IReadOnlyList<IReadOnlyList<DocumentedCommand>> Blocks(string file, string markdown)
    {
        var blocks = new List<IReadOnlyList<DocumentedCommand>>();
        List<DocumentedCommand>? block = null;
        string[] lines = markdown.Split('\n');
        var pending = new StringBuilder();
        int pendingLine = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                if (block is null)
                {
                    string info = line[3..].Trim();
                    block = info is "sh" or "bash" or "shell" ? [] : null;
                    if (block is null)
                    {
                        // Skip a block of another language up to its closing fence.
                        while (++i < lines.Length && !lines[i].StartsWith("```", StringComparison.Ordinal))
                        {
                        }
                    }
                }
                else
                {
                    blocks.Add(block);
                    block = null;
                }

                continue;
            }

            if (block is null)
            {
                continue;
            }

            if (pending.Length == 0)
            {
                pendingLine = i + 1;
            }

            if (line.EndsWith('\\'))
            {
                pending.Append(line[..^1]).Append(' ');
                continue;
            }

            pending.Append(line);
            (string text, string comment) = SplitComment(pending.ToString());
            pending.Clear();
            text = text.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            bool background = text.EndsWith('&') && !text.EndsWith("&&", StringComparison.Ordinal);
            Match exits = ExitsIn().Match(comment);
            block.Add(new DocumentedCommand(file, pendingLine, background ? text[..^1].TrimEnd() : text, comment, exits.Success ? int.Parse(exits.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0, background));
        }

        return blocks;
    }

    /// <summary>The probe command this line runs (<c>probe X</c> or <c>dotnet run --project src/Runner -- X</c>), or null.</summary>
    public string? ProbeCommand
    {
        get
        {
            Match m = ProbeInvocation().Match(Text);
            return m.Success ? m.Groups["command"].Value : null;
        }
    }

    /// <summary>The value of option <paramref name="name"/> on the line, or null.</summary>
    public string? Option(string name)
    {
        Match m = Regex.Match(Text, $@"(?:^|\s){Regex.Escape(name)}[ =](\S+)");
        return m.Success ? m.Groups[1].Value : null;
    }

    public override string ToString() => $"{File}:{Line}: {Text}";

    private static (string Text, string Comment) SplitComment(string line)
    {
        char quote = '\0';
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == '#' && (i == 0 || char.IsWhiteSpace(line[i - 1])))
            {
                return (line[..i], line[(i + 1)..].Trim());
            }
        }

        return (line, string.Empty);
    }

    [GeneratedRegex(@"\bexits (\d)\b")]
    private static partial Regex ExitsIn();

    [GeneratedRegex(@"^(?:[A-Z_]+=\S+\s+)*(?:probe|dotnet run --project src/Runner --)\s+(?<command>[a-z-]+)")]
    private static partial Regex ProbeInvocation();
}
