using System.Text.RegularExpressions;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Docs;

/// <summary>
/// docs/contributing.md promises that the folders of the engine, the exporter and the runner depend one
/// way. A folder uses another when one of its files names the other's namespace (a <c>using</c> or a
/// qualified name); these tests find every such use in the sources and fail on a cycle, naming it and a
/// file that closes it.
/// </summary>
[Collection(RealTimeCollection.Name)]
public partial class FolderDependenciesTests
{
    [Theory]
    [InlineData("Engine", "Probe.Engine")]
    [InlineData("Exporter", "Probe.Exporter")]
    [InlineData("Runner", "Probe.Runner")]
    public void Folders_OfTheProject_DependOneWay(string project, string rootNamespace)
    {
        Dictionary<string, Dictionary<string, string>> uses = Uses(Path.Combine(Repository.Root, "src", project), rootNamespace);

        string? cycle = FirstCycle(uses);

        Assert.True(cycle is null, $"src/{project}: the folders depend on each other in a cycle: {cycle}");
    }

    [Fact]
    public void FirstCycle_FindsACycleThroughThreeFolders()
    {
        var uses = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal)
        {
            ["Core"] = new(StringComparer.Ordinal) { ["Thresholds"] = "Core/A.cs" },
            ["Thresholds"] = new(StringComparer.Ordinal) { ["Stats"] = "Thresholds/B.cs" },
            ["Stats"] = new(StringComparer.Ordinal) { ["Core"] = "Stats/C.cs", ["Histograms"] = "Stats/D.cs" },
        };

        Assert.Equal("Core → Thresholds (Core/A.cs) → Stats (Thresholds/B.cs) → Core (Stats/C.cs)", FirstCycle(uses));
        uses["Stats"].Remove("Core");
        Assert.Null(FirstCycle(uses));
    }

    /// <summary>For each top folder, the other top folders it names, each with the first file that does.</summary>
    private static Dictionary<string, Dictionary<string, string>> Uses(string projectFolder, string rootNamespace)
    {
        string[] folders = Directory.GetDirectories(projectFolder).Select(Path.GetFileName).Where(f => f is not ("bin" or "obj")).ToArray()!;
        var uses = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        var named = new Regex(Regex.Escape(rootNamespace) + @"\.(\w+)", RegexOptions.CultureInvariant);
        foreach (string folder in folders)
        {
            var used = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string file in Directory.GetFiles(Path.Combine(projectFolder, folder), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string code = LineComment().Replace(File.ReadAllText(file), string.Empty);
                foreach (Match m in named.Matches(code))
                {
                    string other = m.Groups[1].Value;
                    if (other != folder && folders.Contains(other))
                    {
                        used.TryAdd(other, Path.GetRelativePath(projectFolder, file));
                    }
                }
            }

            uses[folder] = used;
        }

        return uses;
    }

    /// <summary>A cycle as "A → B (file) → A (file)", or null when the folders depend one way.</summary>
    private static string? FirstCycle(Dictionary<string, Dictionary<string, string>> uses)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        string? Visit(string folder)
        {
            int onPath = path.IndexOf(folder);
            if (onPath >= 0)
            {
                string[] loop = [.. path[onPath..], folder];
                return loop[0] + string.Concat(loop.Skip(1).Select((to, i) => $" → {to} ({uses[loop[i]][to]})"));
            }

            if (!done.Add(folder))
            {
                return null;
            }

            path.Add(folder);
            foreach (string next in uses.GetValueOrDefault(folder)?.Keys.Order(StringComparer.Ordinal) ?? Enumerable.Empty<string>())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }

            path.RemoveAt(path.Count - 1);
            return null;
        }

        return uses.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    [GeneratedRegex(@"//[^\n]*", RegexOptions.CultureInvariant)]
    private static partial Regex LineComment();
}
