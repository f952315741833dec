using System.Globalization;
using System.Net;
using System.Text;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>
/// The synthetics status page: one self-contained HTML document (inline style, no scripts or external
/// assets) with each check's state per region and its quorum, the SLOs' attainment and error budget,
/// and the recent failures with their reasons. It reloads itself every refresh interval.
/// </summary>
internal static class StatusPage
{
    public static string Render(StatusSnapshot s, long spoolDepth, bool storeUp, TimeSpan refresh)
    {
        var h = new StringBuilder(8192);
        h.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
         .Append(CultureInfo.InvariantCulture, $"<meta http-equiv=\"refresh\" content=\"{Math.Max(5, (int)refresh.TotalSeconds)}\">")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
         .Append("<title>").Append(E(s.Suite)).Append(" — Probe status</title><style>")
         .Append("body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}")
         .Append("table{border-collapse:collapse;min-width:60%}th,td{border-bottom:1px solid #dde1e6;padding:6px 10px;text-align:left;vertical-align:top}th{background:#f4f6f8}")
         .Append(".ok{color:#116329;font-weight:600}.fail{color:#b42318;font-weight:600}.none{color:#6e7781}.meta{color:#57606a}.bar{display:inline-block;height:8px;background:#2da44e;vertical-align:middle}.bar.low{background:#cf222e}")
         .Append(".banner{padding:8px 12px;border-radius:6px;background:#fff4e5;border:1px solid #f0b849;margin:8px 0}")
         .Append(".maintenance{color:#0550ae;font-weight:600}")
         .Append(".strip{display:flex;gap:1px;margin-top:4px}.strip i{display:block;width:6px;height:14px;background:#d0d7de}.strip i.ok{background:#2da44e}.strip i.some{background:#d4a72c}.strip i.bad{background:#cf222e}")
         .Append("</style></head><body>\n");
        h.Append("<h1>").Append(E(s.Suite)).Append("</h1><div class=\"meta\">")
         .Append(s.At == DateTimeOffset.MinValue ? "no results yet" : "as of " + E(s.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)))
         .Append(" · store ").Append(E(s.Store)).Append(storeUp ? " (up)" : " (<span class=\"fail\">unreachable</span>)")
         .Append(" · spool ").Append(spoolDepth.ToString(CultureInfo.InvariantCulture))
         .Append(" · quorum ").Append(s.Quorum.ToString(CultureInfo.InvariantCulture)).Append(" of ").Append(s.Regions.Count.ToString(CultureInfo.InvariantCulture)).Append(" regions</div>\n");
        if (s.Error is { } error)
        {
            h.Append("<div class=\"banner\">").Append(E(error)).Append("</div>\n");
        }

        Checks(h, s);
        Maintenance(h, s);
        Slos(h, s);
        Failures(h, s);
        h.Append("</body></html>\n");
        return h.ToString();
    }

    private static void Checks(StringBuilder h, StatusSnapshot s)
    {
        h.Append("<h2>Checks</h2><table id=\"checks\"><thead><tr><th>check</th><th>schedule</th><th>quorum</th>");
        foreach (string region in s.Regions)
        {
            h.Append("<th>").Append(E(region)).Append("</th>");
        }

        h.Append("</tr></thead><tbody>\n");
        foreach (ScenarioStatus c in s.Checks)
        {
            h.Append("<tr><td>").Append(E(c.Scenario)).Append("</td><td>").Append(E(c.Schedule)).Append("</td><td>")
             .Append(c.Regions.Count == 0 ? "<span class=\"none\">no runs</span>" : c.QuorumUp ? "<span class=\"ok\">UP</span>" : "<span class=\"fail\">DOWN</span>")
             .Append(CultureInfo.InvariantCulture, $" {c.Succeeding}/{c.Regions.Count}");
            if (s.MaintenanceOf(c.Scenario) is { } window)
            {
                h.Append("<br><span class=\"maintenance\">maintenance</span> <span class=\"meta\">").Append(E(window.Window.Name)).Append(" until ").Append(Utc(window.End)).Append("</span>");
            }

            h.Append("</td>");
            foreach (string region in s.Regions)
            {
                RegionStatus? r = c.Regions.FirstOrDefault(x => x.Region == region);
                h.Append("<td data-region=\"").Append(E(region)).Append("\">");
                if (r?.Last is not { } last)
                {
                    h.Append("<span class=\"none\">—</span></td>");
                    continue;
                }

                h.Append(last.Ok ? "<span class=\"ok\">✓ ok</span>" : "<span class=\"fail\">✗ " + E(last.Reason ?? "failed") + "</span>")
                 .Append(last.Maintenance is null ? string.Empty : " <span class=\"maintenance\">maintenance</span>")
                 .Append(" <span class=\"meta\">").Append(SyntheticResultJson.Milliseconds(last.Duration)).Append(" ms, ")
                 .Append(E(last.StartedAt.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture))).Append("<br>1h ")
                 .Append(Percent(r.LastHour)).Append(" · 24h ").Append(Percent(r.LastDay)).Append("</span>");
                Strip(h, r, s.At);
                h.Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</tbody></table>\n");
    }

    /// <summary>The last 24 clock hours as a strip of hourly cells (oldest left, the current hour so far last): green all ok, amber some failed, red most failed, grey no runs.</summary>
    private static void Strip(StringBuilder h, RegionStatus r, DateTimeOffset at)
    {
        if (r.History.Count == 0)
        {
            return;
        }

        h.Append("<div class=\"strip\" title=\"the last 24 clock hours, hour by hour\">");
        DateTime hour = new DateTime(at.UtcDateTime.Ticks - (at.UtcDateTime.Ticks % TimeSpan.TicksPerHour), DateTimeKind.Utc).AddHours(1 - r.History.Count);
        for (int i = 0; i < r.History.Count; i++, hour = hour.AddHours(1))
        {
            double? ratio = r.History[i];
            string css = ratio switch { null => "none", >= 1 => "ok", >= 0.5 => "some", _ => "bad" };
            string when = i == r.History.Count - 1
                ? string.Create(CultureInfo.InvariantCulture, $"{hour:HH:mm} UTC until now")
                : string.Create(CultureInfo.InvariantCulture, $"{hour:HH:mm}–{hour.AddHours(1):HH:mm} UTC");
            h.Append(CultureInfo.InvariantCulture, $"<i class=\"{css}\" title=\"{when}: {(ratio is { } v ? Percent(v) + " ok" : "no runs")}\"></i>");
        }

        h.Append("</div>");
    }

    /// <summary>The maintenance windows on now or to come: their checks' runs are stored but left out of the SLOs, and their alerts held.</summary>
    private static void Maintenance(StringBuilder h, StatusSnapshot s)
    {
        if (s.Maintenance.Count == 0)
        {
            return;
        }

        h.Append("<h2>Maintenance</h2><p class=\"meta\">Checks in a window still run; their results are kept but left out of the SLOs, and their alerts are held.</p>")
         .Append("<table id=\"maintenance\"><thead><tr><th>window</th><th>checks</th><th>state</th><th>from (UTC)</th><th>to (UTC)</th><th>repeats</th></tr></thead><tbody>\n");
        foreach (MaintenanceStatus m in s.Maintenance)
        {
            h.Append("<tr><td>").Append(E(m.Window.Name)).Append("</td><td>").Append(m.Window.Scenarios.Count == 0 ? "all" : E(string.Join(", ", m.Window.Scenarios))).Append("</td><td>")
             .Append(m.Active ? "<span class=\"maintenance\">on now</span>" : "next").Append("</td><td>").Append(Utc(m.Start)).Append("</td><td>").Append(Utc(m.End))
             .Append("</td><td>").Append(m.Window.Cron is { } cron ? "cron " + E(cron) : "once").Append("</td></tr>\n");
        }

        h.Append("</tbody></table>\n");
    }

    private static string Utc(DateTimeOffset at) => E(at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));

    private static void Slos(StringBuilder h, StatusSnapshot s)
    {
        if (s.Slos.Count == 0)
        {
            return;
        }

        h.Append("<h2>SLOs</h2><table id=\"slos\"><thead><tr><th>SLO</th><th>objective</th><th>window</th><th>attainment</th><th>error budget left</th><th>per region</th></tr></thead><tbody>\n");
        foreach (SloStatus slo in s.Slos)
        {
            double left = Math.Clamp(slo.BudgetRemaining, 0, 1);
            h.Append("<tr><td>").Append(E(slo.Name)).Append(" <span class=\"meta\">").Append(E(slo.Kind)).Append("</span></td><td>")
             .Append(Percent(slo.Objective)).Append("</td><td>").Append(E(SloViews.WindowLabel(slo.Window))).Append("</td><td class=\"")
             .Append(slo.Attainment >= slo.Objective ? "ok" : "fail").Append("\">").Append(Percent(slo.Attainment)).Append("</td><td>")
             .Append(CultureInfo.InvariantCulture, $"<span class=\"bar{(left < 0.25 ? " low" : string.Empty)}\" style=\"width:{Math.Round(left * 100)}px\"></span> ")
             .Append(Budget(slo)).Append("</td><td>")
             .Append(string.Join(", ", slo.ByRegion.Select(p => E(p.Key) + " " + Percent(p.Value)))).Append("</td></tr>\n");
        }

        h.Append("</tbody></table>\n");
    }

    /// <summary>The budget as people read it: the share left, or "exhausted" and how many times over it was burned (never "-99900%").</summary>
    private static string Budget(SloStatus slo) => slo.BudgetRemaining >= 0
        ? $"{Percent(slo.BudgetRemaining)} left"
        : double.IsInfinity(slo.BurnRate) ? "<span class=\"fail\">exhausted</span>"
        : string.Create(CultureInfo.InvariantCulture, $"<span class=\"fail\">exhausted</span>: burned {slo.BurnRate:0.#}× the budget");

    private static void Failures(StringBuilder h, StatusSnapshot s)
    {
        h.Append("<h2>Recent failures</h2>");
        if (s.RecentFailures.Count == 0)
        {
            h.Append("<p class=\"none\">none in the last day</p>\n");
            return;
        }

        h.Append("<table id=\"failures\"><thead><tr><th>when (UTC)</th><th>check</th><th>region</th><th>reason</th><th>what happened</th></tr></thead><tbody>\n");
        foreach (SyntheticResult f in s.RecentFailures)
        {
            h.Append("<tr><td>").Append(E(f.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))).Append("</td><td>")
             .Append(E(f.Scenario)).Append(f.Recheck ? " <span class=\"meta\">(re-check)</span>" : string.Empty)
             .Append(f.Maintenance is { } window ? " <span class=\"maintenance\">maintenance</span> <span class=\"meta\">" + E(window) + "</span>" : string.Empty).Append("</td><td>")
             .Append(E(f.Region)).Append("</td><td class=\"fail\">").Append(E(f.Reason ?? "failed")).Append("</td><td>").Append(E(f.Message ?? string.Empty)).Append("</td></tr>\n");
        }

        h.Append("</tbody></table>\n");
    }

    private static string Percent(double? ratio) => ratio is { } r ? (r * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%" : "—";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
