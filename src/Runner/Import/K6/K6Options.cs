using System.Globalization;
using System.Text.Json.Nodes;
using Acornima.Ast;
using Probe.Engine.Thresholds;

namespace Probe.Runner.Import.K6;

/// <summary>One scenario of the script: the function it runs and its load in suite form (null: one iteration).</summary>
internal sealed record K6Scenario(string Name, string Exec, JsonNode? Load, int? MaxInFlight);

/// <summary>A threshold key of k6's object: metric, the step it is tagged with, the scenario it is limited to.</summary>
internal sealed record K6ThresholdKey(string Metric, string? Name, string? Scenario, Node At);

/// <summary>
/// Reads k6's <c>options</c>: <c>vus</c>/<c>duration</c>/<c>iterations</c>/<c>stages</c> or
/// <c>scenarios</c> with their executors as suite load phases, <c>thresholds</c> (k6's object, which
/// suites read as written), <c>insecureSkipTLSVerify</c>, <c>userAgent</c> and the connection-reuse switches.
/// </summary>
internal sealed class K6Options
{
    /// <summary>Options that change nothing a suite measures (reports, cloud, timeouts of setup…): ignored.</summary>
    private static readonly HashSet<string> Ignored =
        ["summaryTrendStats", "summaryTimeUnit", "discardResponseBodies", "setupTimeout", "teardownTimeout", "noUsageReport", "ext", "cloud", "systemTags", "httpDebug", "batch", "batchPerHost", "tags"];

    private readonly K6Report _report;
    private readonly Node _where;
    private readonly JsonObject _options;

    /// <summary>Reads <paramref name="options"/>, declared at <paramref name="where"/> (an object literal, for positions).</summary>
    public K6Options(K6Report report, JsonObject options, Node where)
    {
        _report = report;
        _options = options;
        _where = where;
        Read();
    }

    public List<K6Scenario> Scenarios { get; } = [];

    /// <summary>The thresholds object's entries: key, then the value as written.</summary>
    public List<(K6ThresholdKey Key, JsonNode? Value)> Thresholds { get; } = [];

    public bool InsecureTls { get; private set; }

    public string? UserAgent { get; private set; }

    /// <summary><c>noVUConnectionReuse</c> or <c>noConnectionReuse</c>: every target opens a new connection per iteration.</summary>
    public bool NewConnectionPerIteration { get; private set; }

    private void Read()
    {
        foreach ((string key, JsonNode? value) in _options)
        {
            switch (key)
            {
                case "vus" or "duration" or "iterations" or "stages" or "scenarios" or "thresholds":
                    break;
                case "insecureSkipTLSVerify":
                    InsecureTls = value?.GetValueKind() == System.Text.Json.JsonValueKind.True;
                    break;
                case "userAgent" when value is JsonValue v && v.TryGetValue(out string? agent):
                    UserAgent = agent;
                    break;
                case "noVUConnectionReuse" or "noConnectionReuse" when value?.GetValueKind() is System.Text.Json.JsonValueKind.True:
                    // k6's noVUConnectionReuse is exactly the target policy; noConnectionReuse goes one further, a new
                    // connection per request, which is the same for iterations of one request.
                    NewConnectionPerIteration = true;
                    if (key == "noConnectionReuse")
                    {
                        _report.Note(At(key), "k6 opens a new connection for every request; the suite's targets open one per iteration of each user (new_connection_per_iteration), the same when an iteration sends one request");
                    }

                    break;
                case "noVUConnectionReuse" or "noConnectionReuse":
                    break; // false: connections are kept alive, as a suite's targets do
                case var ignored when Ignored.Contains(ignored):
                    _report.Note(At(key), $"option '{key}' is left out: it changes nothing the suite measures");
                    break;
                default:
                    _report.Cannot(At(key), $"option '{key}' has no counterpart in a suite");
                    break;
            }
        }

        if (_options["scenarios"] is JsonObject scenarios)
        {
            foreach ((string name, JsonNode? scenario) in scenarios)
            {
                if (scenario is JsonObject s)
                {
                    Executor(name, s);
                }
                else
                {
                    _report.Cannot(At("scenarios", name), "expected a scenario object with an executor");
                }
            }
        }
        else
        {
            Scenarios.Add(new K6Scenario("default", "default", TopLevelLoad(), null));
        }

        if (_options["thresholds"] is JsonObject thresholds)
        {
            foreach ((string key, JsonNode? value) in thresholds)
            {
                if (ThresholdKey(key) is { } parsed)
                {
                    Thresholds.Add((parsed, value?.DeepClone()));
                }
            }
        }
    }

    /// <summary><c>vus</c>, <c>duration</c>, <c>iterations</c>, <c>stages</c> at the top of options.</summary>
    private JsonNode? TopLevelLoad()
    {
        long vus = Integer(_options, "vus") ?? 1;
        if (_options["stages"] is JsonArray stages)
        {
            return new JsonObject { ["stages"] = stages.DeepClone() };
        }

        if (Integer(_options, "iterations") is { } iterations)
        {
            return Phase("iterations_for_constant", ("copies", vus), ("iterations", iterations));
        }

        if (_options["duration"] is { } duration)
        {
            return Phase("keep_constant", ("copies", vus), ("during", duration.DeepClone()));
        }

        return null;
    }

    private void Executor(string name, JsonObject s)
    {
        string exec = Text(s, "exec") ?? "default";
        long vus = Integer(s, "vus") ?? 1;
        string unit = Unit(Text(s, "timeUnit") ?? "1s");
        int? maxInFlight = (int?)(Integer(s, "maxVUs") ?? Integer(s, "preAllocatedVUs"));
        JsonNode? load = Text(s, "executor") switch
        {
            "constant-vus" => Phase("keep_constant", ("copies", vus), ("during", s["duration"]?.DeepClone())),
            "ramping-vus" => new JsonObject { ["stages"] = s["stages"]?.DeepClone() },
            "per-vu-iterations" => Phase("iterations_for_constant", ("copies", vus), ("iterations", vus * (Integer(s, "iterations") ?? 1))),
            "shared-iterations" => Phase("iterations_for_constant", ("copies", vus), ("iterations", Integer(s, "iterations") ?? 1)),
            "constant-arrival-rate" => Phase("inject", ("rate", $"{Integer(s, "rate") ?? 1}/{unit}"), ("during", s["duration"]?.DeepClone())),
            "ramping-arrival-rate" => RampingArrivals(name, s, unit),
            _ => null,
        };
        if (load is null)
        {
            _report.Cannot(At("scenarios", name, "executor"), $"executor '{Text(s, "executor")}' has no counterpart; Probe converts constant-vus, ramping-vus, per-vu-iterations, shared-iterations, constant-arrival-rate and ramping-arrival-rate");
            return;
        }

        if (Text(s, "executor") is "ramping-vus" && Integer(s, "startVUs") is > 0 and var start)
        {
            _report.Note(At("scenarios", name, "startVUs"), $"startVUs {start}: the suite's stages start from 0 copies");
        }

        if (s["env"] is not null)
        {
            _report.Cannot(At("scenarios", name, "env"), "per-scenario environment variables have no counterpart; use ${env:NAME} set for the whole run");
        }

        if (s["startTime"] is JsonValue startTime && load is not null)
        {
            var delayed = new JsonArray(new JsonObject { ["pause"] = startTime.DeepClone() });
            foreach (JsonNode? phase in load is JsonArray phases ? phases.ToArray() : [load])
            {
                delayed.Add(phase?.DeepClone());
            }

            load = delayed;
        }

        if (load is not null)
        {
            bool open = Text(s, "executor") is "constant-arrival-rate" or "ramping-arrival-rate";
            Scenarios.Add(new K6Scenario(name, exec, load, open ? maxInFlight : null));
        }
    }

    private JsonNode? RampingArrivals(string name, JsonObject s, string unit)
    {
        if (s["stages"] is not JsonArray stages)
        {
            return null;
        }

        if (Integer(s, "startRate") is > 0 and var start)
        {
            _report.Note(At("scenarios", name, "startRate"), $"startRate {start}: the suite's ramps start from 0 per {unit}");
        }

        return new JsonArray(stages.OfType<JsonObject>()
            .Select(stage => (JsonNode)Phase("ramping_inject", ("rate", $"{Integer(stage, "target") ?? 0}/{unit}"), ("during", stage["duration"]?.DeepClone())))
            .ToArray());
    }

    /// <summary><c>http_req_duration{name:search,scenario:load}</c>: the metric and the tags Probe can use.</summary>
    private K6ThresholdKey? ThresholdKey(string key)
    {
        Node at = At("thresholds", key);
        int brace = key.IndexOf('{', StringComparison.Ordinal);
        string metric = (brace < 0 ? key : key[..brace]).Trim();
        if (!ThresholdParser.K6MetricNames.Contains(metric))
        {
            _report.Cannot(at, $"metric '{metric}' is not one Probe measures (custom metrics are not converted); Probe reads {string.Join(", ", ThresholdParser.K6MetricNames)}");
            return null;
        }

        string? name = null, scenario = null;
        if (brace >= 0)
        {
            foreach (string tag in key[(brace + 1)..].TrimEnd('}').Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = tag.IndexOf(':', StringComparison.Ordinal);
                (string tagName, string value) = colon < 0 ? (tag, string.Empty) : (tag[..colon].Trim(), tag[(colon + 1)..].Trim());
                switch (tagName)
                {
                    case "name":
                        name = value;
                        break;
                    case "scenario":
                        scenario = value;
                        break;
                    case "expected_response" when value == "true":
                        _report.Note(at, $"{{expected_response:true}} is left out: Probe's {metric} reads every request");
                        break;
                    default:
                        _report.Cannot(at, $"tag '{tagName}' has no counterpart; thresholds are tagged with name (a step) or scenario only");
                        return null;
                }
            }
        }

        return new K6ThresholdKey(metric, name, scenario, at);
    }

    private static JsonObject Phase(string kind, params (string Name, JsonNode? Value)[] fields)
    {
        var body = new JsonObject();
        foreach ((string field, JsonNode? value) in fields)
        {
            body[field] = value;
        }

        return new JsonObject { [kind] = body };
    }

    /// <summary>k6's timeUnit as a rate's unit: <c>1s</c> as <c>s</c>, <c>1m</c> as <c>m</c>, <c>5s</c> as it is.</summary>
    private static string Unit(string timeUnit) => timeUnit.StartsWith('1') && timeUnit.Length == 2 ? timeUnit[1..] : timeUnit;

    private static long? Integer(JsonObject o, string field) =>
        o[field] is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) ? (long)d : null;

    private static string? Text(JsonObject o, string field) =>
        o[field] is JsonValue v && v.TryGetValue(out string? s) ? s
        : o[field] is JsonValue n && n.TryGetValue(out double d) ? d.ToString(CultureInfo.InvariantCulture)
        : null;

    /// <summary>The property at <paramref name="path"/> in the options literal, for positions in messages; the nearest one found.</summary>
    private Node At(params string[] path)
    {
        Node at = _where;
        ObjectExpression? current = _where as ObjectExpression;
        foreach (string key in path)
        {
            Property? property = current?.Properties.OfType<Property>().FirstOrDefault(p => K6Values.Key(p) == key);
            if (property is null)
            {
                break;
            }

            at = property;
            current = property.Value as ObjectExpression;
        }

        return at;
    }
}
