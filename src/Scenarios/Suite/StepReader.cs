using System.Text.Json;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Steps;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Reads a scenario's steps: each has a name, exactly one kind (<see cref="StepKinds.All"/>: the
/// kind reads its own body), checks, a timeout and retries.
/// </summary>
internal static class StepReader
{
    internal static readonly string[] Fields = ["name", .. StepKinds.Names, "checks", "timeout", "retry", "extract", "think"];
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static IReadOnlyList<StepSpec> ReadAll(SuiteNode scenario, SuiteContext suite)
    {
        var steps = new List<StepSpec>();
        if (scenario.Field("steps") is not { } node)
        {
            scenario.Error("'steps' is required: a list of steps, for example \"steps\": [{ \"name\": \"health\", \"http\": { \"path\": \"/health\" }, \"checks\": [\"status == 200\"] }]");
            return steps;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (SuiteNode step in node.Items("steps"))
        {
            if (Read(step, suite) is { } spec)
            {
                if (!names.Add(spec.Name))
                {
                    step.Child("name").Error($"another step is already named '{spec.Name}'; step names must be unique in a scenario");
                }

                steps.Add(spec);
            }
        }

        if (node.Kind == JsonValueKind.Array && node.Element.GetArrayLength() == 0)
        {
            node.Error("the scenario has no steps; add one such as { \"name\": \"health\", \"http\": { \"path\": \"/health\" } }");
        }

        return steps;
    }

    /// <summary>Reads one step; inside a sequence only the kinds a sequence may hold.</summary>
    internal static StepSpec? Read(SuiteNode step, SuiteContext suite, bool inSequence = false)
    {
        if (!step.IsObjectWith("a step", Fields))
        {
            return null;
        }

        string? name = step.String("name", required: true, example: "\"health\"");
        if (step.Has("name"))
        {
            step.Child("name").CheckName(name, "a step's name");
        }

        StepKind[] kinds = StepKinds.All.Where(k => step.Has(k.Name)).ToArray();
        if (kinds.Length != 1)
        {
            step.Error($"a step has exactly one of {string.Join(", ", StepKinds.Names)}; found {(kinds.Length == 0 ? "none" : string.Join(" and ", kinds.Select(k => k.Name)))}");
            return null;
        }

        StepKind kind = kinds[0];
        IReadOnlyList<CheckExpression> checks = Checks(step);
        TimeSpan timeout = step.Duration("timeout", min: TimeSpan.FromMilliseconds(1)) ?? DefaultTimeout;
        RetrySpec? retry = Retry(step);
        SuiteNode body = step.Child(kind.Name);
        if (name is null)
        {
            return null;
        }

        IReadOnlyDictionary<string, CheckSubject> extract = Extract(step);
        if (extract.Count > 0 && !kind.Extracts)
        {
            step.Child("extract").Error($"only {string.Join(", ", StepKinds.All.Where(k => k.Extracts).Select(k => k.Name))} steps extract values");
        }

        if (inSequence && !kind.InSequence)
        {
            body.Error($"a sequence holds {string.Join(", ", StepKinds.All.Where(k => k.InSequence).Select(k => k.Name))} steps; found {kind.Name}");
            return null;
        }

        (TimeSpan think, TimeSpan upTo) = Think(step);
        StepSpec? spec = kind.Read(new StepHeader(name, checks, timeout, retry, extract, inSequence), body, suite);
        return (think > TimeSpan.Zero || upTo > TimeSpan.Zero) && spec is not null ? spec with { Think = think, ThinkUpTo = upTo } : spec;
    }

    /// <summary>A step's <c>think</c>: a duration (<c>"2s"</c>), or a range drawn from each time (<c>"1s..3s"</c>; upper end zero without one).</summary>
    private static (TimeSpan Think, TimeSpan UpTo) Think(SuiteNode step)
    {
        if (step.String("think") is not { } text || !text.Contains("..", StringComparison.Ordinal))
        {
            return (step.Duration("think", min: TimeSpan.Zero) ?? TimeSpan.Zero, TimeSpan.Zero);
        }

        SuiteNode node = step.Child("think");
        string[] ends = text.Split("..");
        string? why = null;
        TimeSpan least = default, most = default;
        if (ends.Length != 2 || !DurationText.TryParse(ends[0].Trim(), out least, out why) || !DurationText.TryParse(ends[1].Trim(), out most, out why))
        {
            node.Error($"a think range is two durations, such as \"1s..3s\"{(why is null ? string.Empty : $": {why}")}, found \"{text}\"");
            return default;
        }

        if (most < least)
        {
            node.Error($"a think range goes from the shorter time to the longer, such as \"{DurationText.Format(most)}..{DurationText.Format(least)}\", found \"{text}\"");
            return default;
        }

        return (least, most);
    }

    private static IReadOnlyDictionary<string, CheckSubject> Extract(SuiteNode step)
    {
        var extract = new Dictionary<string, CheckSubject>(StringComparer.Ordinal);
        if (step.Field("extract") is not { } node || !node.IsObjectWith("the extracted values", node.Members().Select(m => m.Name).ToArray()))
        {
            return extract;
        }

        foreach ((string variable, SuiteNode from) in node.Members())
        {
            string? path = from.Kind == JsonValueKind.String ? from.Element.GetString() : null;
            if (path is null || !CheckParser.TryParse($"{path} exists", out CheckExpression? parsed, out _) || parsed.Subject.Kind is not (SubjectKind.Body or SubjectKind.Header or SubjectKind.Status))
            {
                from.Error($"expected where to take '{variable}' from, such as \"body.id\" or \"header.location\", found {SuiteNode.Describe(from.Element)}");
                continue;
            }

            extract[variable] = parsed.Subject;
        }

        return extract;
    }

    private static IReadOnlyList<CheckExpression> Checks(SuiteNode step)
    {
        var checks = new List<CheckExpression>();
        if (step.Field("checks") is not { } node)
        {
            return checks;
        }

        foreach (SuiteNode item in node.Items("checks"))
        {
            if (item.Kind != JsonValueKind.String)
            {
                item.Error($"expected a check such as \"status == 200\", found {SuiteNode.Describe(item.Element)}");
            }
            else if (!CheckParser.TryParse(item.Element.GetString(), out CheckExpression? check, out CheckParseError? error))
            {
                item.Error($"check \"{item.Element.GetString()}\": {error}");
            }
            else
            {
                checks.Add(check);
            }
        }

        return checks;
    }

    private static RetrySpec? Retry(SuiteNode step)
    {
        if (step.Field("retry") is not { } node || !node.IsObjectWith("a retry", "attempts", "backoff"))
        {
            return null;
        }

        long? attempts = node.Integer("attempts", 1, 10, required: true);
        TimeSpan backoff = node.Duration("backoff") ?? TimeSpan.FromMilliseconds(200);
        return attempts is { } a ? new RetrySpec((int)a, backoff) : null;
    }
}
