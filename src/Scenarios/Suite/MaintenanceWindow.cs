using Probe.Scenarios.Schedules;

namespace Probe.Scenarios.Suite;

/// <summary>
/// A planned time when some checks are expected to fail: a one-off span (<see cref="From"/> to
/// <see cref="To"/>) or a recurring one (<see cref="Cron"/> starts, each lasting <see cref="Duration"/>;
/// UTC). Synthetics keep running and storing the checks it covers, marked with <see cref="Name"/>, but
/// leave them out of SLIs and error budgets and hold their alerts (<c>probe_maintenance</c>).
/// </summary>
/// <param name="Name">Names the window in stored results, logs and the status page.</param>
/// <param name="Scenarios">The scenarios it covers; empty for the whole suite.</param>
public sealed record MaintenanceWindow(string Name, IReadOnlyList<string> Scenarios)
{
    /// <summary>A one-off window's start (inclusive); null for a recurring one.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>A one-off window's end (exclusive); null for a recurring one.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>A recurring window's starts, as a five-field cron expression in UTC; null for a one-off one.</summary>
    public string? Cron { get; init; }

    /// <summary>How long each start of a recurring window lasts.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Whether the window applies to <paramref name="scenario"/> (when it is on).</summary>
    public bool Covers(string scenario) => Scenarios.Count == 0 || Scenarios.Contains(scenario, StringComparer.Ordinal);

    /// <summary>The span of this window that holds <paramref name="at"/>; null when the window is off then.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? ActiveAt(DateTimeOffset at)
    {
        if (Cron is null)
        {
            return From <= at && at < To ? (From.Value, To.Value) : null;
        }

        // The one start that can hold `at` is the first after `at - Duration`, if it is not after `at`.
        return Starts.Next(at - Duration) is { } start && start <= at ? (start, start + Duration) : null;
    }

    /// <summary>The first span of this window that starts after <paramref name="at"/>; null when there is none.</summary>
    public (DateTimeOffset Start, DateTimeOffset End)? NextAfter(DateTimeOffset at)
    {
        if (Cron is null)
        {
            return From > at ? (From.Value, To!.Value) : null;
        }

        return Starts.Next(at) is { } start ? (start, start + Duration) : null;
    }

    /// <summary>Parsed once per expression (the reader has checked it), in a cache beside the record so its equality stays its fields'.</summary>
    private CronExpression Starts => Parsed.GetOrAdd(Cron!, CronExpression.Parse);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, CronExpression> Parsed = new(StringComparer.Ordinal);
}
