using System.Globalization;
using System.Text.Json;
using Probe.Engine.Simulations;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Reads a scenario's <c>load</c>: one phase or an array of phases, each an object with one kind:
/// <c>{"inject": {"rate": "50/s", "during": "1m"}}</c>, <c>ramping_inject</c>, <c>iterations_for_inject</c>
/// (<c>rate</c>, <c>iterations</c>), <c>keep_constant</c> and <c>ramping_constant</c> (<c>copies</c>,
/// <c>during</c>), <c>iterations_for_constant</c> (<c>copies</c>, <c>iterations</c>), <c>{"pause": "10s"}</c>,
/// <c>{"stages": "2m→10, 5m→50, 2m→0"}</c> or k6's <c>{"stages": [{"duration": "2m", "target": 10}]}</c>
/// (a k6 stage also stands as a phase by itself).
/// </summary>
internal static class LoadReader
{
    internal static readonly string[] Kinds = ["inject", "ramping_inject", "iterations_for_inject", "keep_constant", "ramping_constant", "iterations_for_constant", "pause", "stages"];

    public static IReadOnlyList<LoadSimulation> Read(SuiteNode scenario)
    {
        if (scenario.Field("load") is not { } load)
        {
            return [Simulation.IterationsForConstant(1, 1)];
        }

        var phases = new List<LoadSimulation>();
        foreach (SuiteNode phase in load.Items("load phases", single: true))
        {
            phases.AddRange(ReadPhase(phase));
        }

        if (load.Kind == JsonValueKind.Array && load.Element.GetArrayLength() == 0)
        {
            load.Error("the load has no phases; leave 'load' out to run each step once, or add a phase such as {\"keep_constant\": {\"copies\": 1, \"during\": \"30s\"}}");
        }

        return phases;
    }

    private static IEnumerable<LoadSimulation> ReadPhase(SuiteNode phase)
    {
        if (phase.Kind == JsonValueKind.Object && phase.Has("target") && !phase.Members().Any(m => Kinds.Contains(m.Name)))
        {
            return Stage(phase); // a k6 stage pasted as a phase: {"duration": "2m", "target": 10}
        }

        if (!phase.IsObjectWith("a load phase", Kinds))
        {
            return [];
        }

        var kinds = phase.Members().Where(m => Kinds.Contains(m.Name)).ToArray();
        if (kinds.Length != 1)
        {
            phase.Error($"a load phase has exactly one of {string.Join(", ", Kinds)}; found {(kinds.Length == 0 ? "none" : string.Join(" and ", kinds.Select(k => k.Name)))}");
            return [];
        }

        (string kind, SuiteNode body) = kinds[0];
        try
        {
            return kind switch
            {
                "pause" => Pause(phase),
                "stages" => Stages(body),
                _ => One(kind, body),
            };
        }
        catch (ArgumentOutOfRangeException e)
        {
            body.Error(e.Message.Split(" (Parameter", StringSplitOptions.None)[0]);
            return [];
        }
    }

    private static LoadSimulation[] Pause(SuiteNode phase) =>
        phase.Duration("pause", required: true, min: TimeSpan.FromTicks(1)) is { } d ? [Simulation.Pause(d)] : [];

    private static IReadOnlyList<LoadSimulation> Stages(SuiteNode body)
    {
        if (body.Kind == JsonValueKind.Array)
        {
            if (body.Element.GetArrayLength() == 0)
            {
                body.Error("expected at least one stage such as {\"duration\": \"2m\", \"target\": 10}");
            }

            return body.Items("stages").SelectMany(Stage).ToArray();
        }

        if (body.Kind != JsonValueKind.String)
        {
            body.Error($"expected stages on one line such as \"2m→10, 5m→50, 2m→0\" or as k6 writes them, [{{\"duration\": \"2m\", \"target\": 10}}], found {SuiteNode.Describe(body.Element)}");
            return [];
        }

        try
        {
            return Simulation.Stages(body.Element.GetString()!);
        }
        catch (FormatException e)
        {
            body.Error($"{e.Message}; write stages as \"2m→10, 5m→50, 2m→0\"");
            return [];
        }
    }

    /// <summary>One k6 stage: ramp the copies to <c>target</c> over <c>duration</c>.</summary>
    private static LoadSimulation[] Stage(SuiteNode stage)
    {
        if (!stage.IsObjectWith("a stage", "duration", "target"))
        {
            return [];
        }

        TimeSpan? during = stage.Duration("duration", required: true, min: TimeSpan.FromTicks(1));
        long? target = stage.Integer("target", 0, 1_000_000, required: true);
        return during is { } d && target is { } t ? [Simulation.RampingConstant((int)t, d)] : [];
    }

    private static LoadSimulation[] One(string kind, SuiteNode body)
    {
        bool open = kind.EndsWith("inject", StringComparison.Ordinal);
        bool byIterations = kind.StartsWith("iterations", StringComparison.Ordinal);
        string[] fields = open ? ["rate", byIterations ? "iterations" : "during", "arrivals", "seed"] : ["copies", byIterations ? "iterations" : "during"];
        if (!body.IsObjectWith($"'{kind}'", fields))
        {
            return [];
        }

        (int Rate, TimeSpan Interval)? rate = open ? Rate(body) : null;
        int? copies = open ? null : (int?)body.Integer("copies", kind == "iterations_for_constant" ? 1 : 0, 1_000_000, required: true);
        TimeSpan? during = byIterations ? null : body.Duration("during", required: true, min: TimeSpan.FromTicks(1));
        long? iterations = byIterations ? body.Integer("iterations", 1, long.MaxValue / 2, required: true) : null;
        if ((open && rate is null) || (!open && copies is null) || (byIterations ? iterations is null : during is null))
        {
            return [];
        }

        if (open)
        {
            (ArrivalPattern arrivals, int seed) = Arrivals(body);
            LoadSimulation simulation = kind switch
            {
                "inject" => Simulation.Inject(rate!.Value.Rate, rate.Value.Interval, during!.Value),
                "ramping_inject" => Simulation.RampingInject(rate!.Value.Rate, rate.Value.Interval, during!.Value),
                _ => Simulation.IterationsForInject(rate!.Value.Rate, rate.Value.Interval, iterations!.Value),
            };
            return [simulation with { Arrivals = arrivals, Seed = seed }];
        }

        return kind switch
        {
            "keep_constant" => [Simulation.KeepConstant(copies!.Value, during!.Value)],
            "ramping_constant" => [Simulation.RampingConstant(copies!.Value, during!.Value)],
            _ => [Simulation.IterationsForConstant(copies!.Value, iterations!.Value)],
        };
    }

    /// <summary><c>"arrivals": "even"</c> (the default) or <c>"poisson"</c>, and the Poisson process's <c>seed</c>.</summary>
    private static (ArrivalPattern, int) Arrivals(SuiteNode body)
    {
        string arrivals = body.String("arrivals") ?? "even";
        int seed = (int)(body.Integer("seed", 0, int.MaxValue) ?? 0);
        if (arrivals is not ("even" or "poisson"))
        {
            body.Child("arrivals").Error($"expected \"even\" (evenly spaced, the default) or \"poisson\" (exponential gaps, as LLM serving benchmarks send), found \"{arrivals}\"");
        }
        else if (arrivals == "even" && body.Has("seed"))
        {
            body.Child("seed").Error("'seed' seeds Poisson arrivals: add \"arrivals\": \"poisson\", or remove it");
        }

        return (arrivals == "poisson" ? ArrivalPattern.Poisson : ArrivalPattern.Even, seed);
    }

    /// <summary>A rate such as "50/s", "600/m" or "10/5s".</summary>
    private static (int, TimeSpan)? Rate(SuiteNode body)
    {
        string? text = body.String("rate", required: true, example: "\"50/s\"");
        if (text is null)
        {
            return null;
        }

        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string per = slash < 0 ? string.Empty : text[(slash + 1)..].Trim();
        TimeSpan interval = TimeSpan.Zero;
        bool ok = slash > 0
            && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && per.Length > 0
            && DurationText.TryParse(char.IsAsciiDigit(per[0]) ? per : "1" + per, out interval, out _)
            && interval > TimeSpan.Zero;
        if (!ok)
        {
            body.Child("rate").Error($"expected a rate such as \"50/s\", \"600/m\" or \"10/5s\", found \"{text}\"");
            return null;
        }

        return (int.Parse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture), interval);
    }
}
