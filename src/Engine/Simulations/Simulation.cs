using System.Globalization;
using Probe.Engine.Timing;

namespace Probe.Engine.Simulations;

/// <summary>Builds load simulations: <c>Simulation.Inject(100, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1))</c>.</summary>
public static class Simulation
{
    /// <inheritdoc cref="InjectSimulation"/>
    public static InjectSimulation Inject(int rate, TimeSpan interval, TimeSpan during) => new(rate, interval, during);

    /// <inheritdoc cref="RampingInjectSimulation"/>
    public static RampingInjectSimulation RampingInject(int rate, TimeSpan interval, TimeSpan during) => new(rate, interval, during);

    /// <inheritdoc cref="IterationsForInjectSimulation"/>
    public static IterationsForInjectSimulation IterationsForInject(int rate, TimeSpan interval, long iterations) => new(rate, interval, iterations);

    /// <inheritdoc cref="InjectRandomSimulation"/>
    public static InjectRandomSimulation InjectRandom(int minRate, int maxRate, TimeSpan interval, TimeSpan during) => new(minRate, maxRate, interval, during);

    /// <inheritdoc cref="KeepConstantSimulation"/>
    public static KeepConstantSimulation KeepConstant(int copies, TimeSpan during) => new(copies, during);

    /// <inheritdoc cref="RampingConstantSimulation"/>
    public static RampingConstantSimulation RampingConstant(int copies, TimeSpan during) => new(copies, during);

    /// <inheritdoc cref="IterationsForConstantSimulation"/>
    public static IterationsForConstantSimulation IterationsForConstant(int copies, long iterations) => new(copies, iterations);

    /// <inheritdoc cref="PauseSimulation"/>
    public static PauseSimulation Pause(TimeSpan during) => new(during);

    /// <summary>Checks that <paramref name="simulations"/> make a plan: at least one phase.</summary>
    /// <exception cref="ArgumentException">They do not.</exception>
    public static void Validate(IReadOnlyList<LoadSimulation> simulations) => _ = LoadPlan.Compile(simulations);

    /// <summary>k6 stages: each (duration, target) is a <see cref="RampingConstantSimulation"/> to that many copies.</summary>
    public static IReadOnlyList<LoadSimulation> Stages(params (TimeSpan During, int Target)[] stages) =>
        stages.Select(s => (LoadSimulation)new RampingConstantSimulation(s.Target, s.During)).ToArray();

    /// <summary>
    /// k6 stages on one line: <c>"2m→10, 5m→50, 2m→0"</c> (<c>-&gt;</c> works as well as <c>→</c>).
    /// </summary>
    /// <exception cref="FormatException">A stage is not <c>duration→copies</c>; the message says which and why.</exception>
    public static IReadOnlyList<LoadSimulation> Stages(string stages)
    {
        ArgumentNullException.ThrowIfNull(stages);
        var result = new List<LoadSimulation>();
        string[] parts = stages.Split(',', StringSplitOptions.TrimEntries);
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            int arrow = part.IndexOf('→', StringComparison.Ordinal);
            int arrowLength = 1;
            if (arrow < 0)
            {
                arrow = part.IndexOf("->", StringComparison.Ordinal);
                arrowLength = 2;
            }

            if (arrow < 0)
            {
                throw new FormatException($"stage {i + 1} '{part}' is not 'duration→copies' (for example 2m→10)");
            }

            string durationText = part[..arrow].Trim();
            string copiesText = part[(arrow + arrowLength)..].Trim();
            if (!DurationText.TryParse(durationText, out TimeSpan during, out string? error) || during <= TimeSpan.Zero)
            {
                throw new FormatException($"stage {i + 1} '{part}': {error ?? "the duration must be greater than zero"}");
            }

            if (!int.TryParse(copiesText, NumberStyles.None, CultureInfo.InvariantCulture, out int copies))
            {
                throw new FormatException($"stage {i + 1} '{part}': expected a whole number of copies after the arrow, found '{copiesText}'");
            }

            result.Add(new RampingConstantSimulation(copies, during));
        }

        return result;
    }
}
