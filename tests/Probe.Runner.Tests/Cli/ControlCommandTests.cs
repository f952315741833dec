using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Probe.DemoTarget;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

[Collection(RealTimeCollection.Name)]
public class ControlCommandTests
{
    // A closed scenario only: every 'probe control' is a .NET process starting beside the run, and on two
    // cores that would (rightly) make an open scenario's schedule slip. LoadControlTests covers rates.
    [Fact]
    public async Task Control_ChangesARunningRunsLoad_AndTheReportsShowEveryChange()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "control.json"), $$"""
            { "suite": "control", "targets": { "api": { "url": "{{target.Address}}" } },
              "scenarios": {
                "users": { "steps": [ { "name": "health", "http": { "path": "/health" }, "think": "50ms" } ],
                           "load": { "keep_constant": { "copies": 1, "during": "12s" } } } } }
            """);
        File.WriteAllText(Path.Combine(folder, "token"), "c0ntrol\n");
        string address = $"127.0.0.1:{LoopbackPorts.Free()}";
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "probe.dll"), "run", "control.json", "--out", "out", "--control", address, "--control-token-file", "token"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process probe = Process.Start(start)!;
        Task<string> output = probe.StandardOutput.ReadToEndAsync();
        Task<string> errors = probe.StandardError.ReadToEndAsync();

        // The endpoint wants the token; once the load runs, it shows the scenario's phase.
        using var http = new HttpClient();
        string state = await Poll.UntilAsync(
            async cancellation =>
            {
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{address}/load");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "c0ntrol");
                    using HttpResponseMessage response = await http.SendAsync(request, cancellation);
                    return await response.Content.ReadAsStringAsync(cancellation);
                }
                catch (HttpRequestException)
                {
                    return string.Empty; // not listening yet
                }
            },
            text => probe.HasExited || text.Contains("\"state\": \"closed\"", StringComparison.Ordinal),
            TimeSpan.FromMinutes(1),
            TimeSpan.FromMilliseconds(100));
        Assert.Contains("\"phase\": \"1/1 keep-constant 1 for 12s\"", state, StringComparison.Ordinal);
        using (HttpResponseMessage anonymous = await http.GetAsync(new Uri($"http://{address}/load")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        (int code, string said, string err) = await ProbeProcess.RunAsync(folder, "control", address, "users", "--copies", "3", "--token-file", "token");
        Assert.True(code == 0, err);
        Assert.Matches(@"^applied at \d+\.\ds: users copies 3\n", said);
        (code, said, err) = await ProbeProcess.RunAsync(folder, "control", address, "--token-file", "token");
        Assert.True(code == 0, err);
        Assert.Contains("users: closed, 3 copies (changed; the plan says 1); phase 1/1 keep-constant 1 for 12s", said, StringComparison.Ordinal);

        // Refused, with the reason: the wrong kind of change for the phase, no token, no scenario named.
        (code, _, err) = await ProbeProcess.RunAsync(folder, "control", address, "users", "--rate", "1200/m", "--token-file", "token");
        Assert.Equal(2, code);
        Assert.Contains("refused: scenario 'users' runs copies in a closed phase (phase 1/1 keep-constant 1 for 12s): set copies, not a rate", err, StringComparison.Ordinal);
        (code, _, err) = await ProbeProcess.RunAsync(folder, "control", address, "users", "--copies", "2");
        Assert.Equal(2, code);
        Assert.Contains("give it with --token-file", err, StringComparison.Ordinal);
        (code, _, err) = await ProbeProcess.RunAsync(folder, "control", address, "--copies", "2");
        Assert.Equal(2, code);
        Assert.Contains("name the scenario", err, StringComparison.Ordinal);

        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await probe.WaitForExitAsync(limit.Token);
        string run = await output;
        Assert.True(probe.ExitCode == 0, run + await errors);
        Assert.Contains("users copies 3 (control from 127.0.0.1)", run, StringComparison.Ordinal);

        using JsonDocument summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "out", "summary.json")));
        JsonElement change = Assert.Single(summary.RootElement.GetProperty("load_changes").EnumerateArray());
        Assert.Equal("copies 3", change.GetProperty("change").GetString());
        Assert.Equal("control from 127.0.0.1", change.GetProperty("source").GetString());

        // 3 copies from the change on (each about 20 iterations a second): more than 1 copy before it and
        // 2 after it would make, which 1 copy throughout cannot reach.
        double at = change.GetProperty("at_s").GetDouble();
        JsonElement users = summary.RootElement.GetProperty("scenarios").EnumerateArray().Single();
        long made = users.GetProperty("iterations").GetProperty("count").GetInt64();
        Assert.True(made > (20 * at) + (40 * (12 - at)), $"{made} iterations with the change at {at} s");

        string html = File.ReadAllText(Path.Combine(folder, "out", "report.html"));
        Assert.Contains("<section id=\"load-changes\"><h2>Load changes during the run</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"text\">users</td><td class=\"text\">copies 3</td>", html, StringComparison.Ordinal);
        Assert.Matches("<svg id=\"load-0\"[^§]*?<g class=\"marker\">.*?>copies 3</text>", html);
        Assert.Contains("| users | copies 3 | control from 127.0.0.1 |", File.ReadAllText(Path.Combine(folder, "out", "report.md")), StringComparison.Ordinal);

        // run.json keeps the changes: the reports rendered again from it show them too.
        File.Delete(Path.Combine(folder, "out", "report.html"));
        (code, _, err) = await ProbeProcess.RunAsync(folder, "report", "out");
        Assert.True(code == 0, err);
        Assert.Contains("<td class=\"text\">users</td><td class=\"text\">copies 3</td>", File.ReadAllText(Path.Combine(folder, "out", "report.html")), StringComparison.Ordinal);
    }
}
