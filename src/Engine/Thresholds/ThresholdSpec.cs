namespace Probe.Engine.Thresholds;

/// <summary>
/// A threshold as configured: the expression (<c>p95 &lt; 1s</c>), on the whole scenario or on one
/// step, and whether failing it during the run aborts the run.
/// </summary>
/// <param name="Expression">The threshold, in the language of <see cref="ThresholdParser"/>.</param>
/// <param name="Step">The step it applies to; null for the scenario's whole iterations.</param>
/// <param name="AbortOnFail">Evaluate every second during the run and abort the run when it fails. The default is false.</param>
/// <param name="DelayAbortEval">With <paramref name="AbortOnFail"/>: how long into the run before the first evaluation, so a handful of early results cannot abort it. The default is 0.</param>
public sealed record ThresholdSpec(string Expression, string? Step = null, bool AbortOnFail = false, TimeSpan DelayAbortEval = default)
{
    /// <summary>
    /// The gate of a scenario that sets no thresholds: <c>error_rate == 0%</c>. A run is never green
    /// without a gate; a scenario that expects failures says how many it tolerates with a threshold
    /// of its own, such as <c>error_rate &lt; 5%</c>.
    /// </summary>
    public static ThresholdSpec DefaultGate { get; } = new("error_rate == 0%");

    /// <summary>The note a report shows beside <see cref="DefaultGate"/>.</summary>
    public const string DefaultGateNote = "the default gate: the scenario sets no thresholds";

    /// <summary>Parses the expression.</summary>
    /// <exception cref="FormatException">It does not parse; the message names the column and what was expected.</exception>
    public Threshold Parse() => ThresholdParser.Parse(Expression);
}
