using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Probe.DemoTarget.Endpoints;
using Probe.DemoTarget.Faults;
using Probe.DemoTarget.Hosting;
using Probe.DemoTarget.RateLimiting;

namespace Probe.DemoTarget;

/// <summary>
/// The stand-in service that imitates the seeds' APIs (health, knowledge search, RAG with streaming,
/// banking, guardrails, rate limits) with fault injection. Used by the quick start, tests and benchmarks.
/// </summary>
public sealed class DemoTargetHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DemoTargetHost(WebApplication app, Uri address, FaultInjector faults)
    {
        _app = app;
        Address = address;
        Faults = faults;
    }

    /// <summary>The base address, such as http://127.0.0.1:5080/.</summary>
    public Uri Address { get; }

    /// <summary>The fault injector: set <see cref="FaultInjector.Settings"/> to change faults at run time.</summary>
    public FaultInjector Faults { get; }

    /// <summary>Starts the demo target in this process.</summary>
    /// <exception cref="ArgumentException">The listen address is not a loopback address and port, or the faults are invalid.</exception>
    public static async Task<DemoTargetHost> StartAsync(DemoTargetOptions? options = null, CancellationToken cancellation = default)
    {
        options ??= new DemoTargetOptions();
        IPEndPoint endpoint = ParseListen(options.Listen);
        // No faults while the target warms itself up; the configured ones are set once it has.
        var faults = new FaultInjector(new FaultSettings { TimeToFirstToken = TimeSpan.Zero, InterTokenGap = TimeSpan.Zero }, options.Time, options.Seed);
        var limiter = new ClientRateLimiter(options.Time);
        bool warming = options.WarmUp;

        WebApplication app = QuietKestrel.Create(endpoint);

        app.Use(async (context, next) =>
        {
            PathString path = context.Request.Path;
            if (path.StartsWithSegments("/_demo") || (Volatile.Read(ref warming) && context.Request.Headers.ContainsKey(SelfWarmUp.Header)))
            {
                await next(context);
                return;
            }

            if (!await faults.ApplyAsync(context))
            {
                return;
            }

            FaultSettings s = faults.Settings;
            if (path.StartsWithSegments("/api") && !path.Equals("/api/health") && !await limiter.AdmitAsync(context, s.RateLimit, s.RateLimitWindow))
            {
                return;
            }

            await next(context);
        });

        HealthEndpoints.Map(app);
        KnowledgeEndpoints.Map(app);
        RagEndpoints.Map(app, faults, options.Time);
        LlmEndpoints.Map(app, faults, options.Time);
        BankingEndpoints.Map(app);
        GuardrailsEndpoints.Map(app);
        WebAppEndpoints.Map(app);
        FaultEndpoints.Map(app, faults);

        await app.StartAsync(cancellation);
        Uri address = QuietKestrel.Address(app);
        if (warming)
        {
            await SelfWarmUp.RunAsync(address, cancellation);
            Volatile.Write(ref warming, false);
        }

        faults.Settings = options.Faults;
        faults.RestartClock();
        return new DemoTargetHost(app, address, faults);
    }

    /// <summary>Runs until <paramref name="cancellation"/> fires.</summary>
    public Task WaitAsync(CancellationToken cancellation) => _app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal static IPEndPoint ParseListen(string listen)
    {
        if (!IPEndPoint.TryParse(listen, out IPEndPoint? endpoint) || !listen.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"listen address '{listen}' is not ADDRESS:PORT, such as 127.0.0.1:5080", nameof(listen));
        }

        if (!IPAddress.IsLoopback(endpoint.Address))
        {
            throw new ArgumentException($"the demo target listens on loopback only; '{listen}' is not a loopback address (use 127.0.0.1)", nameof(listen));
        }

        return endpoint;
    }
}
