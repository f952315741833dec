namespace Probe.Exporter.Rules;

/// <summary>
/// Who watches the watcher: alerts on the synthetics runners themselves, from the series they serve.
/// A region whose runner stopped reporting checks nothing and can fire nothing, so its silence must
/// alert; so must a spool that cannot be written (results are being lost), a result store or drain down
/// (results wait in the spool), a scheduler falling behind its checks, and results quarantined. The
/// runner series carry no suite (one runner serves one suite); the alerts add it for routing.
/// </summary>
internal static class RunnerHealthRules
{
    /// <summary>
    /// One runner alert, and its rule test: the input series (name and values) that set it off, the minute it
    /// is still quiet and the one it must have fired by, and the labels it then carries.
    /// </summary>
    private sealed record RunnerAlert(string Name, string Expr, string? For, string Severity, string Summary, string Description, (string Series, string Values)[] Input, string QuietAt, string FiringAt, (string Name, string Value)[] Labels);

    /// <summary>The runner group of the rules file.</summary>
    public static void Group(Yaml y, string suite, RegionQuorum quorum)
    {
        y.Line(1, "name", Yaml.Quote($"probe-runners-{suite}"), item: true);
        y.Line(2, "rules");
        foreach (RunnerAlert alert in Alerts(quorum))
        {
            y.Line(3, "alert", alert.Name, item: true);
            y.Line(4, "expr", Yaml.Quote(alert.Expr));
            if (alert.For is not null)
            {
                y.Line(4, "for", alert.For);
            }

            y.Line(4, "labels");
            y.Line(5, "severity", alert.Severity);
            y.Line(5, "suite", Yaml.Quote(suite));
            y.Line(4, "annotations");
            y.Line(5, "summary", Yaml.Quote(alert.Summary));
            y.Line(5, "description", Yaml.Quote(alert.Description));
        }
    }

    /// <summary>Rule tests: each alert is quiet while its runner is healthy and fires once the fault has lasted.</summary>
    public static void Tests(Yaml y, string suite, RegionQuorum quorum)
    {
        foreach (RunnerAlert alert in Alerts(quorum))
        {
            y.Line(1, "interval", "1m", item: true);
            y.Line(2, "input_series");
            foreach ((string series, string values) in alert.Input)
            {
                y.Line(3, "series", Yaml.Quote(series), item: true);
                y.Line(4, "values", Yaml.Quote(values));
            }

            y.Line(2, "alert_rule_test");
            y.Line(3, "eval_time", alert.QuietAt, item: true);
            y.Line(4, "alertname", alert.Name);
            y.Line(4, "exp_alerts", "[]");
            y.Line(3, "eval_time", alert.FiringAt, item: true);
            y.Line(4, "alertname", alert.Name);
            y.Line(4, "exp_alerts");
            y.Line(5, "exp_labels", item: true);
            y.Line(7, "severity", alert.Severity);
            y.Line(7, "suite", Yaml.Quote(suite));
            foreach ((string name, string value) in alert.Labels)
            {
                y.Line(7, name, Yaml.Quote(value));
            }

            y.Line(6, "exp_annotations");
            y.Line(7, "summary", Yaml.Quote(alert.Summary));
            y.Line(7, "description", Yaml.Quote(alert.Description));
        }
    }

    private static IEnumerable<RunnerAlert> Alerts(RegionQuorum quorum)
    {
        // With one region, its runner gone is monitoring gone: P1. With several, the others still watch: P2.
        // One rule for every region (each absent_over_time keeps its region's label); in the test the first goes silent.
        // Absent for 2 minutes, then held 3 more: a Prometheus that just started, with nothing scraped yet, pages no one.
        string missing = quorum.Regions.Count > 1 ? "P2" : "P1";
        IReadOnlyList<string> regions = quorum.Regions;
        yield return new RunnerAlert(
            "ProbeRunnerMissing",
            regions.Count == 0 ? "absent_over_time(probe_runner_up[2m])" : string.Join(" or ", regions.Select(r => $"absent_over_time(probe_runner_up{{region=\"{r}\"}}[2m])")),
            "3m",
            missing,
            "No runner reports a region",
            "No runner has served the alert's region for 5 minutes: its checks are not running, and their alerts cannot fire.",
            regions.Count == 0 ? [("probe_runner_up{region=\"local\"}", "1x10 _x20")] : regions.Select((r, i) => ($"probe_runner_up{{region=\"{r}\"}}", i == 0 ? "1x10 _x20" : "1x30")).ToArray(),
            "8m",
            "20m",
            regions.Count == 0 ? [] : [("region", regions[0])]);

        const string Runner = "{instance=\"runner-1\"}";
        yield return new RunnerAlert(
            "ProbeRunnerSpoolUnwritable", "probe_synthetics_spool_writable == 0", "1m", "P1",
            "A runner cannot write results",
            "The runner's --data folder cannot be written (full, or read-only): the results of its checks are being lost.",
            [($"probe_synthetics_spool_writable{Runner}", "1x5 0x10")], "5m", "9m", [("instance", "runner-1")]);
        yield return new RunnerAlert(
            "ProbeRunnerStoreDown", "probe_synthetics_store_up == 0", "10m", "P2",
            "A runner cannot reach the result store",
            "The runner's writes to the result store have failed for 10 minutes: results wait in its spool, and SLIs read from the store go stale.",
            [($"probe_synthetics_store_up{Runner}", "1x5 0x20")], "12m", "20m", [("instance", "runner-1")]);
        yield return new RunnerAlert(
            "ProbeRunnerDrainStopped", "probe_synthetics_drain_up == 0", "5m", "P2",
            "A runner stopped moving results to the store",
            "The loop that moves the runner's spool to the result store has not run for 5 minutes: results pile up in the spool.",
            [($"probe_synthetics_drain_up{Runner}", "1x5 0x20")], "8m", "15m", [("instance", "runner-1")]);
        yield return new RunnerAlert(
            "ProbeRunnerBehind", "probe_synthetics_scheduler_behind_seconds > 60", "5m", "P2",
            "A runner's scheduler is behind its checks",
            "The runner has been more than a minute late starting its due checks for 5 minutes: checks run late or not at all.",
            [($"probe_synthetics_scheduler_behind_seconds{Runner}", "0x5 0+60x20")], "8m", "15m", [("instance", "runner-1")]);
        yield return new RunnerAlert(
            "ProbeRunnerResultsQuarantined", "increase(probe_synthetics_quarantined_total[1h]) > 0", null, "P2",
            "The result store refused results",
            "The store refused results for their content in the last hour; the runner kept them in its dead-letter file.",
            [($"probe_synthetics_quarantined_total{Runner}", "0x10 1x10")], "8m", "15m", [("instance", "runner-1")]);
    }
}
