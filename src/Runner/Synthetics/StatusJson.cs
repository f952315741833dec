using System.Text.Json;
using Probe.Runner.Results;

namespace Probe.Runner.Synthetics;

/// <summary>The JSON answers of the synthetics API (<c>/api/status</c>, <c>/api/results</c>).</summary>
internal static class StatusJson
{
    public static void WriteStatus(Utf8JsonWriter json, StatusSnapshot s, long spoolDepth, bool storeUp, bool ready)
    {
        json.WriteStartObject();
        json.WriteString("suite", s.Suite);
        json.WriteString("as_of", s.At == DateTimeOffset.MinValue ? null : s.At.UtcDateTime.ToString("O"));
        json.WriteString("store", s.Store);
        json.WriteBoolean("store_up", storeUp);
        json.WriteBoolean("ready", ready);
        json.WriteNumber("spool_depth", spoolDepth);
        json.WriteString("error", s.Error);
        json.WriteNumber("quorum", s.Quorum);
        json.WritePropertyName("regions");
        JsonSerializer.Serialize(json, s.Regions);
        json.WriteStartArray("checks");
        foreach (ScenarioStatus c in s.Checks)
        {
            json.WriteStartObject();
            json.WriteString("scenario", c.Scenario);
            json.WriteString("schedule", c.Schedule);
            json.WriteNumber("regions_succeeding", c.Succeeding);
            json.WriteBoolean("quorum_up", c.QuorumUp);
            json.WriteStartObject("regions");
            foreach (RegionStatus r in c.Regions)
            {
                json.WriteStartObject(r.Region);
                json.WritePropertyName("last");
                if (r.Last is null)
                {
                    json.WriteNullValue();
                }
                else
                {
                    SyntheticResultJson.Write(json, r.Last);
                }

                WriteRatio(json, "success_ratio_1h", r.LastHour);
                WriteRatio(json, "success_ratio_24h", r.LastDay);
                json.WriteNumber("runs_24h", r.RunsLastDay);
                json.WriteStartArray("success_ratio_by_hour_24h");
                foreach (double? hour in r.History)
                {
                    if (hour is { } ratio)
                    {
                        json.WriteNumberValue(Math.Round(ratio, 6));
                    }
                    else
                    {
                        json.WriteNullValue();
                    }
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("slos");
        foreach (SloStatus slo in s.Slos)
        {
            json.WriteStartObject();
            json.WriteString("name", slo.Name);
            json.WriteString("kind", slo.Kind);
            json.WriteNumber("objective", slo.Objective);
            json.WriteString("window", SloViews.WindowLabel(slo.Window));
            json.WriteNumber("attainment", slo.Attainment);
            json.WriteNumber("error_budget_remaining", slo.BudgetRemaining);
            if (!double.IsInfinity(slo.BurnRate))
            {
                json.WriteNumber("burn_rate", Math.Round(slo.BurnRate, 4));
            }
            json.WriteStartObject("by_region");
            foreach ((string region, double ratio) in slo.ByRegion)
            {
                json.WriteNumber(region, ratio);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("maintenance");
        foreach (MaintenanceStatus m in s.Maintenance)
        {
            json.WriteStartObject();
            json.WriteString("name", m.Window.Name);
            json.WritePropertyName("scenarios");
            JsonSerializer.Serialize(json, m.Window.Scenarios);
            json.WriteBoolean("active", m.Active);
            json.WriteString("start", m.Start.UtcDateTime);
            json.WriteString("end", m.End.UtcDateTime);
            json.WriteString("cron", m.Window.Cron);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        WriteResults(json, "recent_failures", s.RecentFailures);
        json.WriteEndObject();
    }

    public static void WriteResults(Utf8JsonWriter json, string name, IReadOnlyList<SyntheticResult> results)
    {
        json.WriteStartArray(name);
        foreach (SyntheticResult r in results)
        {
            SyntheticResultJson.Write(json, r);
        }

        json.WriteEndArray();
    }

    private static void WriteRatio(Utf8JsonWriter json, string name, double? ratio)
    {
        if (ratio is { } r)
        {
            json.WriteNumber(name, r);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
