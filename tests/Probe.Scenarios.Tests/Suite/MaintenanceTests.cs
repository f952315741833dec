using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Tests.Suite;

/// <summary>Maintenance windows: read from the suite with located errors, and on exactly when they say.</summary>
public class MaintenanceTests
{
    private static readonly DateTimeOffset Sunday = new(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_OneOffAndRecurringWindows_OverSomeScenariosOrAll()
    {
        SuiteDefinition suite = Parse("""
            [
              { "name": "db-upgrade", "from": "2026-12-05T02:00:00Z", "to": "2026-12-05T05:00:00+01:00", "scenarios": ["login"] },
              { "cron": "0 3 * * SUN", "duration": "30m" }
            ]
            """);

        Assert.Equal(2, suite.Maintenance.Count);
        MaintenanceWindow once = suite.Maintenance[0];
        Assert.Equal(("db-upgrade", new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 5, 4, 0, 0, TimeSpan.Zero)), (once.Name, once.From!.Value, once.To!.Value));
        Assert.True(once.Covers("login"));
        Assert.False(once.Covers("health"));
        MaintenanceWindow weekly = suite.Maintenance[1];
        Assert.Equal(("maintenance-2", "0 3 * * SUN", TimeSpan.FromMinutes(30)), (weekly.Name, weekly.Cron, weekly.Duration));
        Assert.True(weekly.Covers("health") && weekly.Covers("login"));
    }

    [Fact]
    public void ActiveAt_OneOff_FromInclusiveToExclusive()
    {
        var window = new MaintenanceWindow("w", []) { From = Sunday.AddHours(2), To = Sunday.AddHours(4) };

        Assert.Null(window.ActiveAt(Sunday.AddHours(2).AddTicks(-1)));
        Assert.Equal((Sunday.AddHours(2), Sunday.AddHours(4)), window.ActiveAt(Sunday.AddHours(2)));
        Assert.NotNull(window.ActiveAt(Sunday.AddHours(4).AddTicks(-1)));
        Assert.Null(window.ActiveAt(Sunday.AddHours(4)));
        Assert.Equal((Sunday.AddHours(2), Sunday.AddHours(4)), window.NextAfter(Sunday));
        Assert.Null(window.NextAfter(Sunday.AddHours(3)));
    }

    [Fact]
    public void ActiveAt_Recurring_EachStartForItsDuration()
    {
        var window = new MaintenanceWindow("w", []) { Cron = "0 3 * * SUN", Duration = TimeSpan.FromMinutes(30) };
        DateTimeOffset start = Sunday.AddHours(3);

        Assert.Null(window.ActiveAt(start.AddTicks(-1)));
        Assert.Equal((start, start.AddMinutes(30)), window.ActiveAt(start));
        Assert.Equal((start, start.AddMinutes(30)), window.ActiveAt(start.AddMinutes(30).AddTicks(-1)));
        Assert.Null(window.ActiveAt(start.AddMinutes(30)));
        Assert.Null(window.ActiveAt(start.AddDays(1)));
        Assert.Equal((start.AddDays(7), start.AddDays(7).AddMinutes(30)), window.ActiveAt(start.AddDays(7).AddMinutes(10)));
        Assert.Equal((start, start.AddMinutes(30)), window.NextAfter(Sunday));
        Assert.Equal(start.AddDays(7), window.NextAfter(start)!.Value.Start);
    }

    [Fact]
    public void MaintenanceAt_TheFirstWindowCoveringTheScenarioThen()
    {
        SuiteDefinition suite = Parse("""
            [
              { "name": "login-only", "from": "2026-12-06T01:00:00Z", "to": "2026-12-06T02:00:00Z", "scenarios": ["login"] },
              { "name": "all", "from": "2026-12-06T01:30:00Z", "to": "2026-12-06T03:00:00Z" }
            ]
            """);

        Assert.Equal("login-only", suite.MaintenanceAt("login", Sunday.AddMinutes(90))?.Name);
        Assert.Equal("all", suite.MaintenanceAt("health", Sunday.AddMinutes(90))?.Name);
        Assert.Null(suite.MaintenanceAt("health", Sunday.AddMinutes(80)));
        Assert.Null(suite.MaintenanceAt("login", Sunday.AddHours(3)));
    }

    public static TheoryData<string, string> Broken => new()
    {
        { """[ { "from": "2026-12-05T02:00:00Z", "to": "2026-12-05T04:00:00Z", "cron": "0 3 * * *", "duration": "1h" } ]""", "$.maintenance[0]: a maintenance window is either one-off, with 'from' and 'to'" },
        { """[ { "from": "2026-12-05 02:00" , "to": "2026-12-05T04:00:00Z" } ]""", "$.maintenance[0].from: expected an ISO 8601 time with its offset, such as \"2026-12-05T02:00:00Z\" or \"2026-12-05T03:00:00+01:00\", found \"2026-12-05 02:00\"" },
        { """[ { "from": "2026-12-05T02:00:00", "to": "2026-12-05T04:00:00Z" } ]""", "$.maintenance[0].from: expected an ISO 8601 time with its offset" },
        { """[ { "from": "2026-12-05T04:00:00Z", "to": "2026-12-05T02:00:00Z" } ]""", "$.maintenance[0].to: must be after 'from' (2026-12-05T04:00:00Z), found \"2026-12-05T02:00:00Z\"" },
        { """[ { "from": "2026-12-05T02:00:00Z" } ]""", "$.maintenance[0]: 'to' is required, for example \"to\": \"2026-12-05T02:00:00Z\"" },
        { """[ { "cron": "0 3 * * SUN" } ]""", "$.maintenance[0]: 'duration' is required" },
        { """[ { "cron": "0 3 * * SNU", "duration": "30m" } ]""", "$.maintenance[0].cron: " },
        { """[ { "cron": "0 3 * * SUN", "duration": "30s" } ]""", "$.maintenance[0].duration: must be at least 1m, found \"30s\"" },
        { """[ { "from": "2026-12-05T02:00:00Z", "to": "2026-12-05T04:00:00Z", "scenarios": ["logn"] } ]""", "$.maintenance[0].scenarios: scenario 'logn' is not in the suite (did you mean 'login'?); scenarios: health, login" },
        { """[ { "name": "w", "cron": "@daily", "duration": "1h" }, { "name": "w", "cron": "@hourly", "duration": "5m" } ]""", "$.maintenance[1].name: another maintenance window is named \"w\"" },
        { """[ { "form": "2026-12-05T02:00:00Z", "to": "2026-12-05T04:00:00Z" } ]""", "unknown field 'form' in a maintenance window (did you mean 'from'?)" },
        { """{ "from": "2026-12-05T02:00:00Z", "to": "2026-12-05T04:00:00Z" }""", "$.maintenance: expected maintenance windows, such as [" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void Parse_BrokenWindow_SaysWhereAndWhat(string windows, string expected)
    {
        var e = Assert.Throws<SuiteException>(() => Parse(windows));

        Assert.Contains(expected, string.Join("\n", e.Errors), StringComparison.Ordinal);
    }

    private static SuiteDefinition Parse(string maintenance) => SuiteLoader.Parse($$"""
        {
          "targets": { "demo": { "url": "http://127.0.0.1:5080" } },
          "scenarios": {
            "health": { "target": "demo", "steps": [ { "name": "h", "http": { "path": "/health" } } ], "schedule": { "every": "1m" } },
            "login": { "target": "demo", "steps": [ { "name": "l", "http": { "path": "/login" } } ], "schedule": { "every": "1m" } }
          },
          "maintenance": {{maintenance}}
        }
        """);
}
