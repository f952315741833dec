using System.Text;
using System.Text.Json;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Reads and validates a suite file. Every error is collected and reported at once, each with the
/// file, line and column, JSON path, value found, what is allowed and how to fix it.
/// </summary>
public static class SuiteLoader
{
    internal static readonly string[] RootFields = ["version", "suite", "targets", "scenarios", "golden", "slos", "regions", "sharding", "maintenance"];

    /// <summary>Loads <paramref name="path"/>.</summary>
    /// <param name="path">The suite file.</param>
    /// <param name="targetOverrides">Target URLs that replace the file's (from <c>--target NAME=URL</c>).</param>
    /// <exception cref="SuiteException">The file cannot be read or is not a valid suite; every error is in it.</exception>
    public static SuiteDefinition Load(string path, IReadOnlyDictionary<string, string>? targetOverrides = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path))
        {
            throw new SuiteException([new SuiteError(path, 0, 0, "$", $"{path} is a folder, not a suite file; give the suite's path, such as {Path.Combine(path, "scenarios.json")}")]);
        }

        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SuiteException([new SuiteError(path, 0, 0, "$", $"cannot read the suite file: {e.Message}")]);
        }

        return Parse(bytes, path, targetOverrides);
    }

    /// <summary>Validates suite text; <paramref name="file"/> names it in errors.</summary>
    /// <exception cref="SuiteException">It is not a valid suite.</exception>
    public static SuiteDefinition Parse(ReadOnlySpan<byte> utf8, string file, IReadOnlyDictionary<string, string>? targetOverrides = null)
    {
        // A byte-order mark is how some editors save UTF-8: allowed, and skipped.
        if (utf8.StartsWith(Encoding.UTF8.Preamble))
        {
            utf8 = utf8[Encoding.UTF8.Preamble.Length..];
        }

        if (!System.Text.Unicode.Utf8.IsValid(utf8))
        {
            (int line, int column, byte found) = FirstInvalidUtf8(utf8);
            throw new SuiteException([new SuiteError(file, line, column, "$", $"the file is not UTF-8 text: byte 0x{found:X2} at line {line}, column {column} is not UTF-8; save the file as UTF-8 (a suite is JSON, which is UTF-8)")]);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            int line = (int)(e.LineNumber ?? 0) + 1;
            int column = (int)(e.BytePositionInLine ?? 0) + 1;
            throw new SuiteException([new SuiteError(file, line, column, e.Path ?? "$", $"not valid JSON: {Plain(e.Message)}")]);
        }

        using (document)
        {
            var diagnostics = new SuiteDiagnostics(file, JsonPositions.Index(utf8));
            var root = new SuiteNode(document.RootElement, "$", diagnostics);
            if (!root.CheckKeysAndText())
            {
                throw new SuiteException(diagnostics.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToArray());
            }

            SuiteDefinition? suite = ReadRoot(root, file, targetOverrides ?? new Dictionary<string, string>());
            if (diagnostics.Errors.Count > 0 || suite is null)
            {
                throw new SuiteException(diagnostics.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToArray());
            }

            return suite;
        }
    }

    /// <summary>Validates a string (for tests and tools).</summary>
    public static SuiteDefinition Parse(string json, string file = "scenarios.json") => Parse(Encoding.UTF8.GetBytes(json), file);

    private static SuiteDefinition? ReadRoot(SuiteNode root, string file, IReadOnlyDictionary<string, string> overrides)
    {
        if (!root.IsObjectWith("the suite", RootFields))
        {
            return null;
        }

        _ = root.Integer("version", 1, 1);
        string name = root.String("suite") ?? Path.GetFileNameWithoutExtension(file);
        if (root.Has("suite"))
        {
            root.Child("suite").CheckName(name, "the suite's name");
        }

        IReadOnlyList<string> regions = root.Strings("regions");
        for (int i = 0; i < regions.Count; i++)
        {
            new SuiteNode(root.Child("regions").Element[i], $"$.regions[{i}]", root.Diagnostics).CheckName(regions[i], "a region");
        }

        var targets = TargetReader.Read(root, overrides);
        var golden = GoldenReader.Read(root);
        IReadOnlyList<string> declared = root.Field("targets") is { } t ? t.Members().Select(m => m.Name).ToArray() : [];
        var context = new SuiteContext(targets, declared, golden, regions, Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory());
        var scenarios = new List<ScenarioSpec>();
        if (root.Field("scenarios") is not { } scenarioNodes)
        {
            root.Error("'scenarios' is required: an object of named scenarios, for example \"scenarios\": { \"smoke\": { \"target\": \"demo\", \"steps\": [...] } }");
        }
        else if (scenarioNodes.IsObjectWith("the scenarios", scenarioNodes.Members().Select(m => m.Name).ToArray()))
        {
            foreach ((string scenarioName, SuiteNode node) in scenarioNodes.Members())
            {
                node.CheckName(scenarioName, "a scenario's name");
                if (ScenarioReader.Read(scenarioName, node, context) is { } scenario)
                {
                    scenarios.Add(scenario);
                }
            }

            if (!scenarioNodes.Members().Any())
            {
                scenarioNodes.Error("the suite has no scenarios; add one, for example \"smoke\": { \"target\": \"demo\", \"steps\": [...] }");
            }
        }

        var slos = SloReader.Read(root, scenarios.Select(s => s.Name).ToArray(), scenarios.Where(s => s.Steps.Any(step => step.AsksModel)).Select(s => s.Name).ToHashSet(StringComparer.Ordinal));
        int allowMissing = root.Field("sharding") is { } sharding && sharding.IsObjectWith("the sharding settings", "allow_missing_shards")
            ? (int)(sharding.Integer("allow_missing_shards", 0, 1000) ?? 0)
            : 0;
        IReadOnlyList<MaintenanceWindow> maintenance = MaintenanceReader.Read(root, scenarios.Select(s => s.Name).ToArray());
        return new SuiteDefinition(name, file, targets, scenarios, golden, slos, regions) { AllowMissingShards = allowMissing, Maintenance = maintenance, SecretNames = root.Diagnostics.Secrets.Order(StringComparer.Ordinal).ToArray() };
    }

    /// <summary>Where the first byte that is not UTF-8 is (1-based line and column, counting bytes), and the byte.</summary>
    private static (int Line, int Column, byte Found) FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        int line = 1, lineStart = 0;
        for (int at = 0; at < utf8.Length;)
        {
            System.Buffers.OperationStatus status = System.Text.Rune.DecodeFromUtf8(utf8[at..], out System.Text.Rune rune, out int used);
            if (status != System.Buffers.OperationStatus.Done)
            {
                return (line, at - lineStart + 1, utf8[at]);
            }

            if (rune.Value == '\n')
            {
                line++;
                lineStart = at + used;
            }

            at += used;
        }

        return (line, 1, 0);
    }

    /// <summary>The parser's message without the position and path it appends (we print those ourselves).</summary>
    private static string Plain(string message)
    {
        foreach (string tail in new[] { " Path: ", " LineNumber: " })
        {
            int cut = message.IndexOf(tail, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.TrimEnd();
    }
}

/// <summary>What scenario validation needs to know of the rest of the suite.</summary>
/// <param name="Targets">The valid targets.</param>
/// <param name="DeclaredTargets">Every target named in the file, valid or not, so that one bad URL does not cascade into "unknown target".</param>
/// <param name="Golden">The golden-question sets.</param>
/// <param name="Regions">The suite's regions.</param>
/// <param name="Folder">The suite file's folder: files a suite names (a gRPC descriptor set) are relative to it.</param>
internal sealed record SuiteContext(
    IReadOnlyDictionary<string, TargetSpec> Targets,
    IReadOnlyList<string> DeclaredTargets,
    IReadOnlyDictionary<string, IReadOnlyList<GoldenQuestion>> Golden,
    IReadOnlyList<string> Regions,
    string Folder);
