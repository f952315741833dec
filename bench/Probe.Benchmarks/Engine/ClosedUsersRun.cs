using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Probe.Engine.Core;
using Probe.Engine.Results;
using Probe.Engine.Running;
using Probe.Engine.Simulations;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;

namespace Probe.Benchmarks.Engine;

/// <summary>
/// <c>closed-users [USERS] [MODE]</c>: USERS closed-model virtual users (default 10,000), each waiting on
/// a 1 s endpoint, ramped up over 10 s and held for 20 s; reports the generator's peak RSS. MODE
/// <c>http</c> (default) calls a Kestrel endpoint in a child process over one connection per user;
/// <c>engine</c> awaits a 1 s delay instead, to show the engine's own cost per user.
/// </summary>
internal static class ClosedUsersRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int users = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        bool http = args.Length < 2 || args[1] == "http";
        Uri? address = null;
        using Process? server = http ? StartServer(out address) : null;
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = address,
            Timeout = TimeSpan.FromSeconds(30),
        };

        ScenarioDefinition scenario = Scenario
            .Create("users", async ctx =>
            {
                if (!http)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, ctx.Cancellation);
                    return StepResult.Ok();
                }

                using HttpResponseMessage response = await client.GetAsync("/wait", ctx.Cancellation);
                return response.IsSuccessStatusCode ? StepResult.Ok((int)response.StatusCode) : StepResult.Fail(FailureReason.Status, statusCode: (int)response.StatusCode);
            })
            .WithLoadSimulations(Simulation.RampingConstant(users, TimeSpan.FromSeconds(10)), Simulation.KeepConstant(users, TimeSpan.FromSeconds(20)));

        RunResult result = await LoadRunner.RunAsync([scenario], new RunOptions { GracefulStop = TimeSpan.FromSeconds(30) });
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        ScenarioSnapshot s = result.Scenario("users");
        Console.WriteLine($"closed-users: {users:N0} users, mode {(http ? "http (1 s endpoint, one connection per user)" : "engine (1 s await)")}");
        Console.WriteLine($"  iterations   {s.Iterations.Count:N0} ok {s.Iterations.Ok:N0} failed {s.Iterations.Fail:N0} {string.Join(", ", s.Iterations.FailureMessages)}");
        Console.WriteLine($"  latency      p50 {s.Iterations.Latency.P50Nanoseconds / 1e6:0.0}ms p99 {s.Iterations.Latency.P99Nanoseconds / 1e6:0.0}ms");
        Console.WriteLine($"  peak RSS     {self.PeakWorkingSet64 / 1048576.0:0.0} MB ({self.PeakWorkingSet64 / (double)users / 1024:0.0} KB per user), managed heap now {GC.GetTotalMemory(false) / 1048576.0:0.0} MB");
        if (server is not null)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }

        return 0;
    }

    /// <summary>The child process: <c>serve-delay</c> answers GET /wait after 1 s and GET /health at once, prints its address and runs until stdin closes.</summary>
    public static async Task<int> ServeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxConcurrentConnections = null);
        WebApplication app = builder.Build();
        app.MapGet("/health", () => Results.Json(new { status = "healthy" }));
        app.MapGet("/wait", async (CancellationToken ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1), TimeProvider.System, ct);
            return Results.Text("ok");
        });
        await app.StartAsync();
        Console.WriteLine(app.Urls.First());
        await Console.In.ReadToEndAsync();
        await app.StopAsync();
        return 0;
    }

    internal static Process StartServer(out Uri? address)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!, [typeof(ClosedUsersRun).Assembly.Location, "serve-delay"])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) != "dotnet")
        {
            start = new ProcessStartInfo(Environment.ProcessPath!, ["serve-delay"]) { RedirectStandardOutput = true, RedirectStandardInput = true };
        }

        Process process = Process.Start(start)!;
        address = new Uri(process.StandardOutput.ReadLine()!);
        return process;
    }
}
