using System.Globalization;
using Probe.Scenarios.Schedules;

namespace Probe.Scenarios.Suite;

/// <summary>
/// Reads <c>maintenance</c>: a list of windows, each one-off (<c>from</c>, <c>to</c>) or recurring
/// (<c>cron</c>, <c>duration</c>), over some scenarios or the whole suite.
/// </summary>
internal static class MaintenanceReader
{
    private const string Example = "{ \"name\": \"db-upgrade\", \"from\": \"2026-12-05T02:00:00Z\", \"to\": \"2026-12-05T04:00:00Z\" }";

    public static IReadOnlyList<MaintenanceWindow> Read(SuiteNode root, IReadOnlyList<string> scenarios)
    {
        var windows = new List<MaintenanceWindow>();
        if (root.Field("maintenance") is not { } list)
        {
            return windows;
        }

        int index = 0;
        foreach (SuiteNode node in list.Items($"maintenance windows, such as [{Example}]"))
        {
            index++;
            if (!node.IsObjectWith("a maintenance window", "name", "from", "to", "cron", "duration", "scenarios"))
            {
                continue;
            }

            string name = node.String("name") ?? $"maintenance-{index}";
            node.CheckName(name, "a maintenance window's name");
            if (windows.Any(w => w.Name == name))
            {
                node.Child("name").Error($"another maintenance window is named \"{name}\"; give each its own name (it marks the results it covers)");
            }

            IReadOnlyList<string> covered = node.Strings("scenarios");
            foreach (string scenario in covered.Where(s => !scenarios.Contains(s)))
            {
                node.Child("scenarios").Error($"scenario '{scenario}' is not in the suite{SuiteNode.DidYouMean(scenario, scenarios)}; scenarios: {string.Join(", ", scenarios)}");
            }

            if (Window(node, name, covered) is { } window)
            {
                windows.Add(window);
            }
        }

        return windows;
    }

    private static MaintenanceWindow? Window(SuiteNode node, string name, IReadOnlyList<string> covered)
    {
        bool oneOff = node.Has("from") || node.Has("to");
        bool recurring = node.Has("cron") || node.Has("duration");
        if (oneOff == recurring)
        {
            node.Error($"a maintenance window is either one-off, with 'from' and 'to' (such as {Example}), or recurring, with 'cron' and 'duration' (such as {{ \"cron\": \"0 3 * * SUN\", \"duration\": \"30m\" }}, in UTC)");
            return null;
        }

        if (oneOff)
        {
            DateTimeOffset? from = Time(node, "from");
            DateTimeOffset? to = Time(node, "to");
            if (from is null || to is null)
            {
                return null;
            }

            if (to <= from)
            {
                node.Child("to").Error($"must be after 'from' ({from.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}), found \"{node.String("to")}\"");
                return null;
            }

            return new MaintenanceWindow(name, covered) { From = from, To = to };
        }

        string? cron = node.String("cron", required: true, example: "\"0 3 * * SUN\"");
        TimeSpan? duration = node.Duration("duration", required: true, min: TimeSpan.FromMinutes(1));
        if (cron is not null && !CronExpression.TryParse(cron, out _, out string? cronError))
        {
            node.Child("cron").Error($"{cronError}; found \"{cron}\"");
            return null;
        }

        return cron is null || duration is null ? null : new MaintenanceWindow(name, covered) { Cron = cron, Duration = duration.Value };
    }

    /// <summary>An ISO 8601 time with its offset (Z or ±hh:mm): a window without one would move with the runner's time zone.</summary>
    private static DateTimeOffset? Time(SuiteNode node, string field)
    {
        string? text = node.String(field, required: true, example: "\"2026-12-05T02:00:00Z\"");
        if (text is null)
        {
            return null;
        }

        bool hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset at) || !text.Contains('T', StringComparison.OrdinalIgnoreCase))
        {
            node.Child(field).Error($"expected an ISO 8601 time with its offset, such as \"2026-12-05T02:00:00Z\" or \"2026-12-05T03:00:00+01:00\", found \"{text}\"");
            return null;
        }

        return at.ToUniversalTime();
    }
}
