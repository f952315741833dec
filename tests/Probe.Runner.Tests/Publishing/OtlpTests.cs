using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.DemoTarget;
using Probe.DemoTarget.Hosting;
using Xunit;

namespace Probe.Runner.Tests.Publishing;

/// <summary><c>probe run --otlp</c> against an OTLP/HTTP receiver on loopback (what a collector's otlp receiver accepts).</summary>
[Collection(RealTimeCollection.Name)]
public sealed class OtlpTests
{
    [Fact]
    public async Task Run_WithOtlp_SendsTheVerdictThresholdsAndFiguresAsOtlpProtobuf()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        var received = new ConcurrentQueue<(string ContentType, byte[] Body)>();
        WebApplication collector = QuietKestrel.Create(new IPEndPoint(IPAddress.Loopback, 0));
        collector.MapPost("/v1/metrics", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue((context.Request.ContentType ?? string.Empty, body.ToArray()));
            context.Response.ContentType = "application/x-protobuf";
        });
        await collector.StartAsync();
        try
        {
            string folder = ProbeProcess.TempFolder();
            File.WriteAllText(Path.Combine(folder, "otlp.json"), $$"""
                { "suite": "otlp-gate", "targets": { "api": { "url": "{{target.Address}}" } },
                  "scenarios": { "smoke": { "steps": [ { "name": "health", "http": { "path": "/health" } } ],
                                            "load": { "iterations_for_constant": { "copies": 1, "iterations": 20 } },
                                            "thresholds": ["error_rate < 1%", "p95 < 2s"] } } }
                """);
            var (code, output, err) = await ProbeProcess.RunAsync(folder, "run", "otlp.json", "--out", "out", "--otlp", QuietKestrel.Address(collector).ToString());

            Assert.True(code == 0, err + output);
            Assert.Contains("sent the run's metrics over OTLP", output, StringComparison.Ordinal);
            Assert.NotEmpty(received);
            Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
            string text = Encoding.UTF8.GetString(received.First().Body); // protobuf keeps strings as plain UTF-8
            foreach (string expected in new[] { "probe.gate.verdict", "probe.threshold.observed", "probe.threshold.passed", "probe.run.iterations", "probe.run.latency", "otlp-gate", "smoke", "error_rate < 1%", "p95 < 2s", "passed" })
            {
                Assert.Contains(expected, text, StringComparison.Ordinal);
            }
        }
        finally
        {
            await collector.StopAsync();
            await collector.DisposeAsync();
        }
    }

    [Fact]
    public async Task Run_WithUnreachableCollector_SaysSoAndKeepsTheVerdict()
    {
        await using DemoTargetHost target = await DemoTargetHost.StartAsync();
        string folder = ProbeProcess.TempFolder();
        File.WriteAllText(Path.Combine(folder, "otlp.json"), $$"""
            { "suite": "otlp-gate", "targets": { "api": { "url": "{{target.Address}}" } },
              "scenarios": { "smoke": { "steps": [ { "name": "health", "http": { "path": "/health" } } ] } } }
            """);
        var (code, _, err) = await ProbeProcess.RunAsync(folder, "run", "otlp.json", "--out", "out", "--otlp", $"http://127.0.0.1:{ProbeProcess.FreePort()}");
        Assert.Equal(0, code);
        Assert.Contains("--otlp: the OpenTelemetry collector at", err, StringComparison.Ordinal);
    }
}
