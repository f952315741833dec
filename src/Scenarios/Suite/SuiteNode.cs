using System.Globalization;
using System.Text.Json;
using Probe.Engine.Thresholds;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Suite;

/// <summary>Collects suite errors with their file positions.</summary>
internal sealed class SuiteDiagnostics(string file, JsonPositions positions)
{
    public List<SuiteError> Errors { get; } = [];

    /// <summary>The environment variables the suite references as secrets (<c>${env:NAME}</c>).</summary>
    public HashSet<string> Secrets { get; } = new(StringComparer.Ordinal);

    public string File { get; } = file;

    public void Add(string path, string message, bool atName = false)
    {
        (int line, int column) = positions.Of(path, atName);
        Errors.Add(new SuiteError(File, line, column, path, message));
    }
}

/// <summary>
/// A value in the suite document with its JSON path: typed reads that report every problem once
/// (the value found, what is allowed, how to fix it) and give null instead of throwing.
/// </summary>
internal readonly record struct SuiteNode(JsonElement Element, string Path, SuiteDiagnostics Diagnostics)
{
    public JsonValueKind Kind => Element.ValueKind;

    public void Error(string message) => Diagnostics.Add(Path, message);

    public SuiteNode Child(string name) => new(Element.GetProperty(name), Path + JsonPositions.Member(name), Diagnostics);

    /// <summary>Checks that this is an object whose fields are all in <paramref name="allowed"/>; reports the others with "did you mean".</summary>
    public bool IsObjectWith(string what, params string[] allowed)
    {
        if (Kind != JsonValueKind.Object)
        {
            Error($"expected {what} (an object), found {Describe(Element)}");
            return false;
        }

        foreach (JsonProperty p in Element.EnumerateObject())
        {
            if (!allowed.Contains(p.Name) && !p.Name.StartsWith('$'))
            {
                Diagnostics.Add(Path + JsonPositions.Member(p.Name), $"unknown field '{p.Name}' in {what}{DidYouMean(p.Name, allowed)}; allowed: {string.Join(", ", allowed)}", atName: true);
            }
        }

        return true;
    }

    /// <summary>
    /// Checks what every reader below relies on, anywhere below this node: no key appears twice in one
    /// object (JSON readers keep one of them silently, so the suite would not say what it seems to),
    /// and no text holds an escaped lone surrogate (<c>\ud800</c>), which is not text at all.
    /// </summary>
    /// <returns>False when a text is not text: the document cannot be read further.</returns>
    public bool CheckKeysAndText()
    {
        bool readable = true;
        if (Kind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int i = 0;
            foreach (JsonProperty p in Element.EnumerateObject())
            {
                string? name = TextOf(() => p.Name);
                if (name is null)
                {
                    Error($"member {i} has a name that is not text (an escaped lone UTF-16 surrogate such as \\ud800); write the character itself");
                    readable = false;
                    continue;
                }

                SuiteNode child = new(p.Value, Path + JsonPositions.Member(name), Diagnostics);
                if (!seen.Add(name))
                {
                    Diagnostics.Add(child.Path, $"'{name}' appears twice in this object; keys must be unique (one of them would be silently ignored)", atName: true);
                }

                readable &= child.CheckKeysAndText();
                i++;
            }
        }
        else if (Kind == JsonValueKind.Array)
        {
            int i = 0;
            foreach (JsonElement item in Element.EnumerateArray())
            {
                readable &= new SuiteNode(item, $"{Path}[{i++}]", Diagnostics).CheckKeysAndText();
            }
        }
        else if (Kind == JsonValueKind.String && TextOf(Element.GetString) is null)
        {
            Error("this text holds an escaped lone UTF-16 surrogate (such as \\ud800), which is not a character; write the character itself");
            readable = false;
        }

        return readable;
    }

    private static string? TextOf(Func<string?> read)
    {
        try
        {
            return read() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reports a name (of a scenario, step, target, region, …) that Probe cannot use: empty, or holding
    /// a control character (a NUL, a line break), since names become metric labels, file names and log fields.
    /// </summary>
    public void CheckName(string? name, string what)
    {
        if (name is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            Error($"{what} is empty; give it a name such as \"smoke\"");
        }
        else if (name.Any(char.IsControl))
        {
            Error($"{what} \"{Escaped(name)}\" holds a control character ({string.Join(", ", name.Where(char.IsControl).Distinct().Select(c => $"U+{(int)c:X4}"))}); names are metric labels and file names: use letters, digits and - _ . or spaces");
        }
    }

    private static string Escaped(string text) => string.Concat(text.Select(c => char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString()));

    public bool Has(string name) => Kind == JsonValueKind.Object && Element.TryGetProperty(name, out _);

    public SuiteNode? Field(string name) => Has(name) ? Child(name) : null;

    public IEnumerable<(string Name, SuiteNode Node)> Members()
    {
        if (Kind != JsonValueKind.Object)
        {
            yield break;
        }

        foreach (JsonProperty p in Element.EnumerateObject())
        {
            if (!p.Name.StartsWith('$'))
            {
                yield return (p.Name, new SuiteNode(p.Value, Path + JsonPositions.Member(p.Name), Diagnostics));
            }
        }
    }

    /// <summary>The items of an array; a single value counts as an array of one when <paramref name="single"/> is set.</summary>
    public IEnumerable<SuiteNode> Items(string what, bool single = false)
    {
        if (Kind != JsonValueKind.Array)
        {
            if (single)
            {
                yield return this;
            }
            else
            {
                Error($"expected {what} (an array), found {Describe(Element)}");
            }

            yield break;
        }

        int i = 0;
        foreach (JsonElement e in Element.EnumerateArray())
        {
            yield return new SuiteNode(e, $"{Path}[{i++}]", Diagnostics);
        }
    }

    public string? String(string name, bool required = false, string? example = null)
    {
        if (!Has(name))
        {
            if (required)
            {
                Error($"'{name}' is required{(example is null ? string.Empty : $", for example \"{name}\": {example}")}");
            }

            return null;
        }

        SuiteNode node = Child(name);
        if (node.Kind != JsonValueKind.String)
        {
            node.Error($"expected a string, found {Describe(node.Element)}{(example is null ? string.Empty : $"; for example {example}")}");
            return null;
        }

        return node.Element.GetString();
    }

    public TimeSpan? Duration(string name, bool required = false, TimeSpan? min = null)
    {
        string? text = String(name, required, "\"30s\"");
        if (text is null)
        {
            return null;
        }

        SuiteNode node = Child(name);
        if (!DurationText.TryParse(text, out TimeSpan d, out string? why))
        {
            node.Error($"{why}, found \"{text}\"");
            return null;
        }

        if (min is { } m && d < m)
        {
            node.Error($"must be at least {DurationText.Format(m)}, found \"{text}\"");
            return null;
        }

        return d;
    }

    public long? Integer(string name, long min, long max, bool required = false)
    {
        if (!Has(name))
        {
            if (required)
            {
                Error($"'{name}' is required (a whole number from {min} to {max})");
            }

            return null;
        }

        SuiteNode node = Child(name);
        if (node.Kind != JsonValueKind.Number || !node.Element.TryGetInt64(out long n))
        {
            node.Error($"expected a whole number from {min} to {max}, found {Describe(node.Element)}");
            return null;
        }

        if (n < min || n > max)
        {
            node.Error($"must be from {min} to {max}, found {n}");
            return null;
        }

        return n;
    }

    /// <summary>A number from <paramref name="min"/> to <paramref name="max"/>, fractions allowed.</summary>
    public double? Number(string name, double min, double max)
    {
        if (!Has(name))
        {
            return null;
        }

        SuiteNode node = Child(name);
        double n = node.Kind == JsonValueKind.Number ? node.Element.GetDouble() : double.NaN;
        if (!(n >= min && n <= max))
        {
            node.Error($"expected a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, found {Describe(node.Element)}");
            return null;
        }

        return n;
    }

    public bool? Boolean(string name)
    {
        if (!Has(name))
        {
            return null;
        }

        SuiteNode node = Child(name);
        if (node.Kind is not (JsonValueKind.True or JsonValueKind.False))
        {
            node.Error($"expected true or false, found {Describe(node.Element)}");
            return null;
        }

        return node.Element.GetBoolean();
    }

    public IReadOnlyList<string> Strings(string name)
    {
        if (!Has(name))
        {
            return [];
        }

        var list = new List<string>();
        foreach (SuiteNode item in Child(name).Items("a list of strings"))
        {
            if (item.Kind == JsonValueKind.String)
            {
                list.Add(item.Element.GetString()!);
            }
            else
            {
                item.Error($"expected a string, found {Describe(item.Element)}");
            }
        }

        return list;
    }

    /// <summary>A percentage such as "99.9%" or a ratio such as 0.999, as a ratio.</summary>
    public double? Ratio(string name, bool required = false)
    {
        if (!Has(name))
        {
            if (required)
            {
                Error($"'{name}' is required, for example \"{name}\": \"99.9%\"");
            }

            return null;
        }

        SuiteNode node = Child(name);
        double? value = node.Kind switch
        {
            JsonValueKind.Number => node.Element.GetDouble(),
            JsonValueKind.String when node.Element.GetString() is { } s && s.EndsWith('%') && double.TryParse(s[..^1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double p) => p / 100,
            _ => null,
        };
        if (value is not (>= 0 and <= 1))
        {
            node.Error($"expected a percentage such as \"99.9%\" or a ratio from 0 to 1, found {Describe(node.Element)}");
            return null;
        }

        return value;
    }

    public static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"\"{e.GetString()}\"",
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    public static string DidYouMean(string word, IEnumerable<string> candidates) => Engine.Text.DidYouMean.Hint(word, candidates);
}
