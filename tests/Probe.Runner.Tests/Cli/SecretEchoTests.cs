using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Cli;

/// <summary>
/// A target that echoes every secret Probe sends it (headers, query, body, Basic credentials from the
/// target URL) into answers whose checks fail and quote them: no secret may reach any file, log or
/// store Probe writes, in a load test or in synthetics.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class SecretEchoTests
{
    private const string Secret = "s3cr3t-Token/with+odd=chars&more";
    private const string Password = "pa55-w0rd-99";

    [Fact]
    public async Task Run_TargetEchoesEverySecret_NoOutputHoldsOne()
    {
        string? received = null;
        await using LoopbackServer target = await EchoTargetAsync(auth => received = auth);
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, target.Address, schedule: false);

        var (exit, stdout, stderr) = await ProbeProcess.RunWithEnvironmentAsync(folder, Environment(), "run", suite, "--out", "out");

        Assert.Equal(1, exit); // the echoed answers fail their checks (and the default gate)
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"probe:{Password}")), received); // the URL's credentials were sent
        string[] files = Directory.GetFiles(Path.Combine(folder, "out"));
        Assert.Contains(files, f => f.EndsWith("summary.json", StringComparison.Ordinal));
        Assert.Contains("${env:PROBE_ECHO_SECRET}", File.ReadAllText(Path.Combine(folder, "out", "summary.json")), StringComparison.Ordinal); // redacted, not lost
        AssertNoSecret([.. files.Select(f => (f, File.ReadAllBytes(f))), ("stdout", Encoding.UTF8.GetBytes(stdout)), ("stderr", Encoding.UTF8.GetBytes(stderr))]);
    }

    [Fact]
    public async Task Synthetics_TargetEchoesEverySecret_NoLogStoreOrSpoolHoldsOne()
    {
        await using LoopbackServer target = await EchoTargetAsync(_ => { });
        string folder = ProbeProcess.TempFolder();
        string suite = Suite(folder, target.Address, schedule: true);

        var (exit, stdout, stderr) = await ProbeProcess.RunWithEnvironmentAsync(folder, Environment(), "synthetics", suite, "--for", "4s", "--listen", $"127.0.0.1:{ProbeProcess.FreePort()}", "--log-level", "debug");

        Assert.True(exit == 0, stderr);
        Assert.Contains("${env:PROBE_ECHO_SECRET}", stdout, StringComparison.Ordinal);
        string[] files = Directory.GetFiles(Path.Combine(folder, "probe-data"), "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("results.db", StringComparison.Ordinal));
        AssertNoSecret([.. files.Select(f => (f, File.ReadAllBytes(f))), ("stdout", Encoding.UTF8.GetBytes(stdout)), ("stderr", Encoding.UTF8.GetBytes(stderr))]);
    }

    private static Dictionary<string, string> Environment() => new() { ["PROBE_ECHO_SECRET"] = Secret, ["PROBE_ECHO_PASSWORD"] = Password };

    /// <summary>The secret and the password as they could appear: plain, URL-encoded, JSON-escaped, in Basic credentials.</summary>
    private static void AssertNoSecret((string Name, byte[] Bytes)[] outputs)
    {
        string[] forms = [Secret, Uri.EscapeDataString(Secret), Secret.Replace("+", "\\u002B", StringComparison.Ordinal).Replace("&", "\\u0026", StringComparison.Ordinal), Password, Convert.ToBase64String(Encoding.UTF8.GetBytes($"probe:{Password}"))];
        foreach ((string name, byte[] bytes) in outputs)
        {
            string text = Encoding.UTF8.GetString(bytes);
            foreach (string form in forms)
            {
                Assert.False(text.Contains(form, StringComparison.Ordinal), $"{name} holds a secret ({form})");
            }
        }
    }

    /// <summary>Answers 500 with everything it was sent: the Authorization and X-Api-Key headers, the query and the body.</summary>
    private static Task<LoopbackServer> EchoTargetAsync(Action<string?> authorization) =>
        LoopbackServer.StartAsync(app => app.MapPost("/echo", async (HttpContext context) =>
        {
            authorization(context.Request.Headers.Authorization);
            string body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            string echoed = $"auth={context.Request.Headers.Authorization} key={context.Request.Headers["X-Api-Key"]} query={context.Request.QueryString} body={body}";
            return Microsoft.AspNetCore.Http.Results.Json(new { status = echoed, error = echoed }, statusCode: (int)HttpStatusCode.InternalServerError);
        }));

    private static string Suite(string folder, Uri target, bool schedule)
    {
        string path = Path.Combine(folder, "echo.json");
        File.WriteAllText(path, $$"""
            {
              "suite": "echo",
              "targets": { "api": { "url": "http://probe:${env:PROBE_ECHO_PASSWORD}@{{target.Authority}}" } },
              "regions": ["local"],
              "scenarios": {
                "echo": {
                  "steps": [ {
                    "name": "echo",
                    "http": { "method": "POST", "path": "/echo", "query": { "key": "${env:PROBE_ECHO_SECRET}" }, "headers": { "X-Api-Key": "${env:PROBE_ECHO_SECRET}" }, "json": { "token": "${env:PROBE_ECHO_SECRET}" } },
                    "checks": ["body.status == \"fine\"", "body.error missing", "status == 200"]
                  } ],
                  {{(schedule ? "\"schedule\": { \"every\": \"1s\" }" : "\"load\": { \"iterations_for_constant\": { \"copies\": 1, \"iterations\": 3 } }")}}
                }
              }
            }
            """);
        return path;
    }
}
