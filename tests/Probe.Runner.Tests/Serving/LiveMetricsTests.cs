using System.Diagnostics;
using System.Net.Http.Headers;
using Probe.DemoTarget;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Serving;

[Collection(RealTimeCollection.Name)]
public class LiveMetricsTests
{
    [Fact]
    public async Task Run_WithMetricsListen_ServesLiveSeriesBehindTheToken()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "live.json"), $$"""
            { "suite": "live", "targets": { "api": { "url": "{{target.Address}}" } },
              "scenarios": { "s": { "steps": [ { "name": "health", "http": { "path": "/health" } } ],
                                    "load": { "keep_constant": { "copies": 1, "during": "6s" } } } } }
            """);
        File.WriteAllText(Path.Combine(folder, "token"), "s3cret\n");
        int port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "probe.dll"), "run", "live.json", "--out", "out", "--metrics-listen", $"127.0.0.1:{port}", "--metrics-token-file", "token"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process probe = Process.Start(start)!;
        _ = probe.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Scrape while the run goes on, until the health step's live series shows a completed run. The
        // scenario-level series (step="") is fed in the same refresh but a scrape may land between the two.
        const string healthOk = "probe_check_runs_total\\{suite=\"live\",scenario=\"s\",step=\"health\",region=\"local\",result=\"ok\"\\} [1-9][0-9]*\\n";
        Task<string> output = probe.StandardOutput.ReadToEndAsync(limit.Token);
        using var http = new HttpClient();
        string metrics = await Poll.UntilAsync(
            async cancellation =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/metrics");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "s3cret");
                try
                {
                    using HttpResponseMessage response = await http.SendAsync(request, cancellation);
                    return await response.Content.ReadAsStringAsync(cancellation);
                }
                catch (HttpRequestException)
                {
                    return string.Empty; // not listening yet
                }
            },
            text => probe.HasExited || System.Text.RegularExpressions.Regex.IsMatch(text, healthOk),
            TimeSpan.FromMinutes(1),
            TimeSpan.FromMilliseconds(100));

        _ = await output;
        await probe.WaitForExitAsync(limit.Token);

        Assert.Contains("probe_run_load{suite=\"live\",scenario=\"s\",region=\"local\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Matches(healthOk, metrics);
        Assert.Equal(0, probe.ExitCode);
    }
}
