using Probe.Engine.Simulations;
using Probe.Engine.Timing;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Cli;

/// <summary>
/// k6's load flags on <c>probe run</c>: <c>--vus N --duration D</c> makes every scenario run N copies
/// for D (k6's constant-vus), <c>--iterations N</c> (with <c>--vus</c>, default 1) makes them share N
/// iterations (k6's shared-iterations); and k6's <c>--out json=FILE</c> habit gets pointed to
/// <c>--format</c>.
/// </summary>
internal static class K6Flags
{
    /// <summary>The suite with every scenario's load replaced as the flags say, or null with <paramref name="error"/> set.</summary>
    public static SuiteDefinition? Apply(SuiteDefinition suite, int? vus, string? duration, long? iterations, out string? error)
    {
        error = null;
        if (vus is null && duration is null && iterations is null)
        {
            return suite;
        }

        if (vus is < 1 or > 1_000_000)
        {
            error = $"--vus takes a number of copies from 1 to 1000000, found {vus}";
            return null;
        }

        if (iterations is < 1)
        {
            error = $"--iterations takes a number from 1 up, found {iterations}";
            return null;
        }

        TimeSpan during = TimeSpan.Zero;
        if (duration is not null && (!DurationText.TryParse(duration, out during, out string? why) || during <= TimeSpan.Zero))
        {
            error = $"--duration takes a duration such as 30s or 5m, found '{duration}'{(why is null ? string.Empty : $": {why}")}";
            return null;
        }

        if (duration is not null && iterations is not null)
        {
            error = "--duration and --iterations are two ways to end a run; give one (as in k6 without a scenarios block)";
            return null;
        }

        if (duration is null && iterations is null)
        {
            error = "--vus needs --duration (such as --vus 10 --duration 30s) or --iterations (such as --vus 10 --iterations 100)";
            return null;
        }

        LoadSimulation load = iterations is { } n
            ? Simulation.IterationsForConstant(vus ?? 1, n)
            : Simulation.KeepConstant(vus ?? 1, during);
        return suite with { Scenarios = suite.Scenarios.Select(s => s with { Load = [load] }).ToArray() };
    }

    /// <summary>Why <paramref name="output"/> looks like k6's <c>--out json=FILE</c>, or null when it is a folder.</summary>
    public static string? OutProblem(string? output)
    {
        int equals = output?.IndexOf('=', StringComparison.Ordinal) ?? -1;
        if (equals <= 0 || !output![..equals].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return null;
        }

        return $"--out is the folder for the run's files, not k6's '{output[..equals]}=…' output; Probe writes summary.json, stats.csv and the rest there "
            + "(--out results/run1), and --format chooses which (such as --format json,csv)";
    }
}
