using System.Globalization;
using System.Text.Json.Nodes;

namespace Probe.Runner.Import.K6;

/// <summary>A suite step being converted from a k6 call: an http request, or a group's sequence of them.</summary>
internal sealed class StepDraft
{
    public StepDraft(string name, string target, JsonObject? http, IReadOnlyList<StepDraft>? sequence = null)
    {
        Name = name;
        Target = target;
        Http = http;
        Sequence = sequence;
    }

    /// <summary>The step's name, unique in its function (k6's <c>tags.name</c>, or made from the method and path).</summary>
    public string Name { get; }

    /// <summary>The target the request goes to (for a sequence, its first step's).</summary>
    public string Target { get; }

    /// <summary>The http step's body (method, path, headers, json or body…); null for a sequence.</summary>
    public JsonObject? Http { get; }

    /// <summary>A group's steps, in order; null for an http step.</summary>
    public IReadOnlyList<StepDraft>? Sequence { get; }

    /// <summary>The URL the script called, as evaluated (thresholds may name a step by it, as k6's default name tag).</summary>
    public string? Url { get; init; }

    public List<string> Checks { get; } = [];

    /// <summary>k6's <c>params.timeout</c>, as a Probe duration.</summary>
    public string? Timeout { get; set; }

    /// <summary>Values later requests read from this one's response: variable name → what it reads (<c>body.id</c>).</summary>
    public Dictionary<string, string> Extract { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether the request reads a value an earlier one extracted (<c>${vars.NAME}</c>).</summary>
    public bool UsesVariables => Http?.ToJsonString().Contains("${vars.", StringComparison.Ordinal) == true;

    /// <summary>The sleeps after the call, in seconds (the shortest, when one is random).</summary>
    public double ThinkSeconds { get; set; }

    /// <summary>How much longer random sleeps after the call may be: the think time is then a range.</summary>
    public double ThinkSpreadSeconds { get; set; }

    /// <summary>Adds a sleep of <paramref name="sleep"/> after the call.</summary>
    public void Think(Sleep sleep)
    {
        ThinkSeconds += sleep.Least;
        ThinkSpreadSeconds += sleep.Spread;
    }

    /// <summary>The step as the suite writes it; <paramref name="scenarioTarget"/> is left out of http bodies.</summary>
    public JsonObject ToJson(string scenarioTarget)
    {
        var step = new JsonObject { ["name"] = Name };
        if (Http is not null)
        {
            JsonObject http = (JsonObject)Http.DeepClone();
            if (Target != scenarioTarget)
            {
                http.Insert(0, "target", Target);
            }

            step["http"] = http;
        }
        else
        {
            step["sequence"] = new JsonObject { ["steps"] = new JsonArray(Sequence!.Select(s => (JsonNode)s.ToJson(scenarioTarget)).ToArray()) };
        }

        if (Checks.Count > 0)
        {
            step["checks"] = new JsonArray(Checks.Select(c => (JsonNode)JsonValue.Create(c)).ToArray());
        }

        if (Timeout is not null)
        {
            step["timeout"] = Timeout;
        }

        if (Extract.Count > 0)
        {
            step["extract"] = new JsonObject(Extract.Select(e => KeyValuePair.Create(e.Key, (JsonNode?)JsonValue.Create(e.Value))));
        }

        if (ThinkSpreadSeconds > 0)
        {
            step["think"] = $"{Seconds(ThinkSeconds)}..{Seconds(ThinkSeconds + ThinkSpreadSeconds)}";
        }
        else if (ThinkSeconds > 0)
        {
            step["think"] = Seconds(ThinkSeconds);
        }

        return step;
    }

    /// <summary>Seconds as a Probe duration: whole seconds as <c>3s</c>, else milliseconds.</summary>
    public static string Seconds(double seconds) => seconds == Math.Floor(seconds)
        ? $"{seconds.ToString(CultureInfo.InvariantCulture)}s"
        : $"{Math.Round(seconds * 1000).ToString(CultureInfo.InvariantCulture)}ms";
}
