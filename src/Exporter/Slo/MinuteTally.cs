namespace Probe.Exporter.Slo;

/// <summary>
/// One region's check runs in one minute, as a store aggregates them: how many ran, how many
/// succeeded, and how many succeeded faster than the latency SLO's threshold.
/// </summary>
/// <param name="Minute">Minutes since the Unix epoch, UTC.</param>
/// <param name="Region">Where the checks ran from.</param>
/// <param name="Runs">Checks run.</param>
/// <param name="Ok">Checks that succeeded.</param>
/// <param name="Fast">Checks that succeeded under the latency threshold asked for (0 when none was).</param>
public readonly record struct MinuteTally(long Minute, string Region, long Runs, long Ok, long Fast)
{
    /// <summary>Every run of the minute succeeded.</summary>
    public bool AllOk => Ok == Runs;
}
