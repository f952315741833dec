namespace Probe.Exporter.Rules;

/// <summary>
/// Multi-window, multi-burn-rate alerts (the Google SRE workbook's recommendation): an alert fires when
/// the error budget burns at least <see cref="BurnRate"/> times too fast over both a long and a short
/// window, so it fires fast for big outages and resets fast once they end.
/// </summary>
public sealed record BurnRateAlert(string Severity, double BurnRate, string LongWindow, string ShortWindow, TimeSpan For)
{
    /// <summary>Page at 14.4× over 1h and 5m (2 % of a 30-day budget in an hour), and 6× over 6h and 30m; ticket at 3× over 1d and 2h, and 1× over 3d and 6h.</summary>
    public static IReadOnlyList<BurnRateAlert> Standard { get; } =
    [
        new("page", 14.4, "1h", "5m", TimeSpan.FromMinutes(2)),
        new("page", 6, "6h", "30m", TimeSpan.FromMinutes(15)),
        new("ticket", 3, "1d", "2h", TimeSpan.FromHours(1)),
        new("ticket", 1, "3d", "6h", TimeSpan.FromHours(3)),
    ];

    /// <summary>
    /// The standard alerts that can fire for an objective: a burn rate times the budget (1 − objective)
    /// of 1 or more would need more than every event to be bad, so that alert is left out — with a 90 %
    /// objective the 14.4× page could never fire, and a rule that cannot fire only pretends to watch.
    /// </summary>
    public static IReadOnlyList<BurnRateAlert> Feasible(double objective) => Standard.Where(a => a.BurnRate * (1 - objective) < 1).ToArray();

    /// <summary>Every window a rule reads, shortest first.</summary>
    public static IReadOnlyList<string> Windows { get; } = ["5m", "30m", "1h", "2h", "6h", "1d", "3d"];

    /// <summary>
    /// The <c>window</c> label of the runners' <c>probe_sli_ratio</c> a rule reads for burn-rate window
    /// <paramref name="window"/> (such as "3d"): the runners export windows up to the SLO's own, so a longer one reads that.
    /// </summary>
    public static string SliWindowLabel(string window, TimeSpan sloWindow)
    {
        TimeSpan span = Probe.Engine.Timing.DurationText.Parse(window);
        return WindowLabel(span < sloWindow ? span : sloWindow);
    }

    /// <summary>A window as Prometheus users write it (5m, 1h, 1d, 30d): the <c>window</c> label of <c>probe_sli_ratio</c>.</summary>
    public static string WindowLabel(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 ? $"{window.Ticks / TimeSpan.TicksPerDay}d"
        : window.Ticks % TimeSpan.TicksPerHour == 0 ? $"{window.Ticks / TimeSpan.TicksPerHour}h"
        : $"{(long)window.TotalMinutes}m";
}
