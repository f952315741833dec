using System.Net;
using System.Net.Http.Headers;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary><c>probe synthetics</c> as a user runs it: bad input, the token, and reloading the suite.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class SyntheticsCommandTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Reload_BadEditIsRejectedAndTheOldSuiteKeepsRunning_GoodEditAndSighupApply()
    {
        string folder = ProbeProcess.TempFolder();
        int port = ProbeProcess.FreePort();
        string suite = SyntheticsSuites.Write(folder, port);
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite);
        await runner.WaitForResultsAsync(2, Limit);

        string good = File.ReadAllText(suite);
        File.WriteAllText(suite, good.Replace("\"every\": \"1s\" }\n    },\n    \"balance\"", "\"every\": \"soon\" }\n    },\n    \"balance\"", StringComparison.Ordinal));
        var rejected = await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "reload_rejected", Limit);
        string errors = string.Join("\n", rejected.GetProperty("errors").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("synthetics.json", errors, StringComparison.Ordinal);
        Assert.Contains("$.scenarios.health.schedule.every", errors, StringComparison.Ordinal);
        Assert.Contains("\"soon\"", errors, StringComparison.Ordinal);
        int before = runner.ResultIds.Count;
        await runner.WaitForResultsAsync(before + 4, Limit); // the old suite carries on

        File.WriteAllText(suite, good.Replace("\"every\": \"1s\"", "\"every\": \"2s\"", StringComparison.Ordinal));
        var applied = await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "suite_applied" && Seen(runner, "suite_applied") == 2, Limit);
        await runner.SignalAsync("HUP");
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "suite_applied" && Seen(runner, "suite_applied") == 3, Limit);
        Assert.Equal(["health", "balance"], applied.GetProperty("scenarios").EnumerateArray().Select(s => s.GetString()));

        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
        var stopped = runner.Events.Last();
        Assert.Equal("stopped", stopped.GetProperty("event").GetString());
        Assert.Equal(0, stopped.GetProperty("spool_depth").GetInt64());
    }

    [Fact]
    public async Task Reload_OnSighup_WhenStartedUnderNohup()
    {
        // nohup (and supervisors that do the same) hand SIGHUP down ignored; .NET would leave it so, and kill -HUP did nothing.
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        await using var runner = await SyntheticsProcess.StartUnderNohupAsync(folder, suite);
        await runner.WaitForResultsAsync(2, Limit);

        await runner.SignalAsync("HUP");

        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "reload_requested", Limit);
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "suite_applied" && Seen(runner, "suite_applied") == 2, Limit);
        await runner.SignalAsync("TERM");
        Assert.Equal(0, await runner.WaitForExitAsync(Limit));
    }

    [Fact]
    public async Task Reload_DropsTheSeriesOfARemovedCheckAndARenamedSlo_SoNoAlertFiresForThem()
    {
        string folder = ProbeProcess.TempFolder();
        int port = ProbeProcess.FreePort();
        const string Ghost = ",\n    \"ghost\": { \"target\": \"demo\", \"steps\": [ { \"name\": \"gone\", \"http\": { \"path\": \"/no-such-page\" }, \"checks\": [\"status == 200\"] } ], \"schedule\": { \"every\": \"1s\" } }";
        string suite = SyntheticsSuites.Write(folder, port, extraScenario: Ghost);
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--refresh", "1s");
        using var http = new HttpClient { BaseAddress = runner.Address };
        const string GhostFailing = "probe_success{suite=\"synth\",scenario=\"ghost\",region=\"local\",target=\"demo\"} 0\n";
        await Poll.UntilAsync(c => http.GetStringAsync("metrics", c), text => text.Contains(GhostFailing, StringComparison.Ordinal) && text.Contains("slo=\"availability\"", StringComparison.Ordinal), Limit);

        string without = File.ReadAllText(SyntheticsSuites.Write(folder, port));
        File.WriteAllText(suite, without.Replace("\"availability\": {", "\"uptime\": {", StringComparison.Ordinal));
        await runner.WaitForAsync(e => e.GetProperty("event").GetString() == "suite_applied" && Seen(runner, "suite_applied") == 2, Limit);
        var applied = runner.Events.Where(e => e.GetProperty("event").GetString() == "suite_applied").ElementAt(1);
        Assert.Equal(["health", "balance"], applied.GetProperty("scenarios").EnumerateArray().Select(s => s.GetString()));

        await Poll.UntilAsync(c => http.GetStringAsync("metrics", c), text => text.Contains("slo=\"uptime\"", StringComparison.Ordinal), Limit);
        await runner.WaitForResultsAsync(runner.ResultIds.Count + 4, Limit); // the kept checks run on, and the views refresh
        string after = await http.GetStringAsync("metrics");
        Assert.DoesNotContain("scenario=\"ghost\"", after, StringComparison.Ordinal);
        Assert.DoesNotContain("slo=\"availability\"", after, StringComparison.Ordinal);
        Assert.Contains("probe_success{suite=\"synth\",scenario=\"health\",region=\"local\",target=\"demo\"} 1\n", after, StringComparison.Ordinal);
        Assert.Contains("probe_check_runs_total{suite=\"synth\",scenario=\"balance\",step=\"\",region=\"local\",result=\"ok\"}", after, StringComparison.Ordinal);
        string file = Path.Combine(folder, "after.prom");
        File.WriteAllText(file, after);
        var (code, problems) = await Promtool.CheckMetricsAsync(file);
        Assert.True(code == 0, problems);
    }

    [Fact]
    public async Task Token_GuardsMetricsStatusAndApi_ButNotTheProbes()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());
        string tokenFile = Path.Combine(folder, "token");
        File.WriteAllText(tokenFile, "s3cret\n");
        await using var runner = await SyntheticsProcess.StartAsync(folder, suite, "--token-file", tokenFile);
        await runner.WaitForResultsAsync(2, Limit);

        using var http = new HttpClient { BaseAddress = runner.Address };
        foreach (string path in new[] { "metrics", "", "api/status", "api/results" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(path)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("readyz")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
        // A result is reported once it is in the spool; the API reads the store, which has it a moment later.
        await Poll.UntilAsync(c => http.GetStringAsync("api/results?scenario=health&limit=1", c), results => results.Contains("\"scenario\": \"health\"", StringComparison.Ordinal), Limit);
        Assert.Contains("probe_success{suite=\"synth\",scenario=\"health\",region=\"local\",target=\"demo\"} 1", await http.GetStringAsync("metrics"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no scheduled scenario", "{\"version\":1,\"suite\":\"s\",\"targets\":{\"t\":{\"url\":\"http://127.0.0.1:1\"}},\"scenarios\":{\"a\":{\"target\":\"t\",\"steps\":[{\"name\":\"x\",\"http\":{\"path\":\"/\"}}]}}}", new string[0], "no scenario in")]
    [InlineData("unknown store", null, new[] { "--store", "mysql://x" }, "unknown store 'mysql://x'; write sqlite:PATH or postgres://")]
    [InlineData("region not in the suite", null, new[] { "--region", "eu-wset" }, "region 'eu-wset' is not in the suite's regions")]
    [InlineData("bad simulate", null, new[] { "--simulate", "local:loss=150%" }, "'loss=150%' is not latency=DURATION")]
    [InlineData("bad duration", null, new[] { "--refresh", "often" }, "--refresh")]
    [InlineData("empty region", null, new[] { "--region", "" }, "--region is empty")]
    [InlineData("listen on an address this machine does not have", null, new[] { "--listen", "192.0.2.1:9464" }, "--listen 192.0.2.1:9464: cannot listen there")]
    [InlineData("a data folder that is a file", null, new[] { "--data", "/etc/passwd" }, "--data: cannot keep data in /etc/passwd")]
    public async Task BadInput_ExitsTwoAndSaysWhy(string name, string? suiteText, string[] args, string expected)
    {
        _ = name;
        string folder = ProbeProcess.TempFolder();
        string suite = suiteText is null ? SyntheticsSuites.Write(folder, ProbeProcess.FreePort(), regions: "[\"local\", \"eu-west\"]") : Path.Combine(folder, "s.json");
        if (suiteText is not null)
        {
            File.WriteAllText(suite, suiteText);
        }

        var (code, _, err) = await ProbeProcess.RunAsync(folder, ["synthetics", suite, .. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadInput_ListenPortTaken_ExitsTwoBeforeAnyCheckRuns()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort());

        var (code, stdout, err) = await ProbeProcess.RunAsync(folder, "synthetics", suite, "--listen", $"127.0.0.1:{((System.Net.IPEndPoint)taken.LocalEndpoint).Port}");

        Assert.Equal(2, code);
        Assert.Contains("cannot listen there", err, StringComparison.Ordinal);
        Assert.DoesNotContain("\"event\":\"result\"", stdout, StringComparison.Ordinal);
    }

    private static int Seen(SyntheticsProcess runner, string name) => runner.Events.Count(e => e.GetProperty("event").GetString() == name);
}
