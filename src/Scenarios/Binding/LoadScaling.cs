using Probe.Engine.Simulations;

namespace Probe.Scenarios.Binding;

/// <summary>
/// <c>--duration-scale F</c>: every timed phase (and pause) lasts F times as long, at the same rates
/// and copies; phases that end by iteration count are unchanged. F = 0.1 turns the 9-minute ramp
/// into 54 seconds.
/// </summary>
public static class LoadScaling
{
    /// <exception cref="ArgumentOutOfRangeException">The factor is not from 0.001 to 1000.</exception>
    public static IReadOnlyList<LoadSimulation> Scale(IReadOnlyList<LoadSimulation> simulations, double factor)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        if (factor is < 0.001 or > 1000 || double.IsNaN(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The duration scale must be from 0.001 to 1000.");
        }

        return factor == 1 ? simulations : simulations.Select(s => s.Scale(factor)).ToArray();
    }

    /// <summary>Scales one duration, keeping at least one millisecond.</summary>
    public static TimeSpan Scale(TimeSpan duration, double factor) => LoadSimulation.Scaled(duration, factor);
}
