using System.Text.Json.Nodes;
using Acornima;
using Acornima.Ast;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Import.K6;

/// <summary>The outcome of an import: the suite's text (null when anything could not be converted), and what to tell the user.</summary>
internal sealed record K6Import(string? Suite, IReadOnlyList<string> Unconvertible, IReadOnlyList<string> Notes, IReadOnlyList<(string Name, string Url)> Targets);

/// <summary>
/// <c>probe import k6</c>: converts the common subset of k6 scripts to a suite. The script is parsed
/// by a real JavaScript parser (Acornima); <c>options</c> become each scenario's load and thresholds,
/// the functions the scenarios run become their steps (<see cref="K6Requests"/>). Every construct
/// with no counterpart is listed with its line and column, and then nothing is written: a suite that
/// silently measures something else than the script is worse than none.
/// </summary>
internal static class K6Importer
{
    public static K6Import Convert(string source, string file)
    {
        try
        {
            return Read(source, file);
        }
        catch (InsufficientExecutionStackException)
        {
            // Thousands of parentheses, brackets or blocks inside each other: the parser, or the import after it, would overflow the stack.
            return new K6Import(null, [$"{file}: the script nests expressions, arrays, objects or blocks inside each other deeper than the import follows (thousands of levels): write that part with fewer levels"], [], []);
        }
    }

    private static K6Import Read(string source, string file)
    {
        var report = new K6Report(source, file);
        Module module;
        try
        {
            module = new Parser(new ParserOptions { AllowHashBang = true }).ParseModule(source, file);
        }
        catch (ParseErrorException e)
        {
            return new K6Import(null, [$"{file}:{e.LineNumber}:{e.Column + 1}: syntax error: {e.Description}"], [], []);
        }

        var script = new Script(report);
        foreach (Statement statement in module.Body)
        {
            script.Read(statement);
        }

        var options = new K6Options(report, script.Options ?? [], (Node?)script.OptionsNode ?? module);
        var targets = new K6Targets(report);
        var requests = new K6Requests(report, script.Imports, targets, options.UserAgent);
        var scenarios = new JsonObject();
        var converted = new Dictionary<string, List<StepDraft>>(StringComparer.Ordinal);
        foreach (K6Scenario scenario in options.Scenarios)
        {
            if (!script.Functions.TryGetValue(scenario.Exec, out IFunction? function))
            {
                report.Cannot((Node?)script.OptionsNode ?? module, scenario.Exec == "default"
                    ? "the script has no default function (export default function () { … })"
                    : $"scenario '{scenario.Name}' runs '{scenario.Exec}', which the script does not declare");
                continue;
            }

            if (!converted.TryGetValue(scenario.Exec, out List<StepDraft>? steps))
            {
                steps = requests.Convert(function, script.Values);
                converted[scenario.Exec] = steps;
            }

            if (steps.Count > 0)
            {
                scenarios[scenario.Name] = Scenario(scenario, steps, options, targets, report);
            }
        }

        if (options.Thresholds.Count == 0)
        {
            report.Notes.Add("the script has no thresholds: each scenario is held to Probe's default gate, error_rate == 0% (a failed request or check fails the run); add thresholds to tolerate some");
        }
        else if (options.Scenarios.Count > 1 && options.Thresholds.Any(t => t.Key.Scenario is null))
        {
            report.Notes.Add("k6 holds a threshold over every scenario's requests together; the suite holds each scenario to it");
        }

        var suite = new JsonObject
        {
            ["suite"] = Path.GetFileNameWithoutExtension(file),
            ["targets"] = new JsonObject(targets.All.Select(t => KeyValuePair.Create(t.Name, (JsonNode?)Target(t.Url, options)))),
            ["scenarios"] = scenarios,
        };
        if (report.Unconvertible is { Count: > 0 })
        {
            return new K6Import(null, report.Unconvertible, report.Notes, targets.All);
        }

        string text = CompactJson.Write(suite);
        IReadOnlyList<string> invalid = Validate(text, file);
        return new K6Import(invalid.Count == 0 ? text : null, invalid, report.Notes, targets.All);
    }

    private static JsonObject Target(string url, K6Options options)
    {
        var target = new JsonObject { ["url"] = url };
        if (options.InsecureTls)
        {
            target["insecure_tls"] = true;
        }

        if (options.NewConnectionPerIteration)
        {
            target["new_connection_per_iteration"] = true;
        }

        return target;
    }

    private static JsonObject Scenario(K6Scenario scenario, List<StepDraft> steps, K6Options options, K6Targets targets, K6Report report)
    {
        string target = steps[0].Target;
        var json = new JsonObject();
        if (targets.All.Count > 1)
        {
            json["target"] = target;
        }

        json["steps"] = new JsonArray(steps.Select(s => (JsonNode)s.ToJson(target)).ToArray());
        if (scenario.Load is not null)
        {
            json["load"] = scenario.Load.DeepClone();
        }

        if (scenario.MaxInFlight is { } max)
        {
            json["max_in_flight"] = max;
        }

        var thresholds = new JsonObject();
        foreach ((K6ThresholdKey key, JsonNode? value) in options.Thresholds.Where(t => t.Key.Scenario is null || t.Key.Scenario == scenario.Name))
        {
            string? step = key.Name is null ? null : StepNamed(key.Name, steps);
            if (key.Name is not null && step is null)
            {
                if (key.Scenario is not null || options.Scenarios.Count == 1)
                {
                    report.Cannot(key.At, $"no request is named '{key.Name}' (by tags.name or its URL); steps: {string.Join(", ", steps.Select(s => s.Name))}");
                }

                continue;
            }

            string name = step is null ? key.Metric : $"{key.Metric}{{name:{step}}}";
            thresholds[name] = thresholds[name] is { } earlier ? Concat(earlier, value) : value?.DeepClone();
        }

        if (thresholds.Count > 0)
        {
            json["thresholds"] = thresholds;
        }

        return json;
    }

    /// <summary>The step a threshold's <c>name</c> tag means: by its name, or by the URL it calls (k6's default name tag).</summary>
    private static string? StepNamed(string name, List<StepDraft> steps) =>
        steps.SelectMany(s => s.Sequence is null ? [(s.Name, s)] : s.Sequence.Select(inner => ($"{s.Name}/{inner.Name}", inner)))
            .Where(s => s.Item2.Name == name || s.Item2.Url == name || s.Item1 == name)
            .Select(s => s.Item1)
            .FirstOrDefault();

    private static JsonArray Concat(JsonNode earlier, JsonNode? value)
    {
        var all = new JsonArray();
        foreach (JsonNode? node in new[] { earlier, value })
        {
            foreach (JsonNode? item in node is JsonArray a ? a.ToArray() : [node])
            {
                all.Add(item?.DeepClone());
            }
        }

        return all;
    }

    /// <summary>The converted suite's own errors, but for secrets not set here (they are set where the suite runs).</summary>
    private static IReadOnlyList<string> Validate(string text, string file)
    {
        try
        {
            _ = SuiteLoader.Parse(text, Path.ChangeExtension(Path.GetFileName(file), ".json"));
            return [];
        }
        catch (SuiteException e)
        {
            return e.Errors
                .Where(error => !(error.Message.StartsWith("secret ${env:", StringComparison.Ordinal) && error.Message.Contains("is not set", StringComparison.Ordinal)))
                .Select(error => $"the converted suite does not validate (a construct the import should have refused; please report it): {error}")
                .ToArray();
        }
    }
}
