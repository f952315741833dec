using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.DemoTarget.Hosting;
using Probe.Exporter.Prometheus;

namespace Probe.Runner.Serving;

/// <summary>
/// Serves a <see cref="MetricRegistry"/> at <c>/metrics</c> on Kestrel: bound to 127.0.0.1 unless told
/// otherwise, OpenMetrics or text format by the Accept header, an optional bearer token (401 without it).
/// </summary>
internal sealed class MetricsServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsServer(WebApplication app, Uri address, MetricRegistry registry)
    {
        _app = app;
        Address = address;
        Registry = registry;
    }

    public Uri Address { get; }

    /// <summary>The registry it serves.</summary>
    public MetricRegistry Registry { get; }

    /// <summary>Called after each scrape is written (tests wait on it instead of sleeping).</summary>
    public event Action? Scraped;

    /// <summary>Starts serving; <paramref name="routes"/> adds more endpoints on the same server (the synthetics status page and API), which may use <see cref="Refuse"/>.</summary>
    public static async Task<MetricsServer> StartAsync(MetricRegistry registry, IPEndPoint listen, string? token, Action<WebApplication>? routes = null, CancellationToken cancellation = default)
    {
        WebApplication app = QuietKestrel.Create(listen);
        MetricsServer? server = null;

        // One buffer for every scrape (a large runner's exposition is megabytes: a new one each time is large-object garbage);
        // scrapes take turns, and a client too slow to read is cut off by Kestrel's minimum data rate.
        var scratch = new MemoryStream();
        var turn = new SemaphoreSlim(1, 1);
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            if (Refuse(context, token))
            {
                return;
            }

            (bool openMetrics, string contentType) = MetricsEndpoint.Negotiate(context.Request.Headers.Accept.ToString());
            context.Response.ContentType = contentType;
            await turn.WaitAsync(context.RequestAborted);
            try
            {
                scratch.SetLength(0);
                registry.WriteTo(scratch, openMetrics);
                context.Response.ContentLength = scratch.Length;
                await context.Response.Body.WriteAsync(scratch.GetBuffer().AsMemory(0, (int)scratch.Length), context.RequestAborted);
            }
            finally
            {
                turn.Release();
            }

            server?.Scraped?.Invoke();
        });
        routes?.Invoke(app);
        await app.StartAsync(cancellation);
        server = new MetricsServer(app, QuietKestrel.Address(app), registry);
        return server;
    }

    /// <summary>Answers 401 and returns true when a token is required and the request lacks it.</summary>
    public static bool Refuse(HttpContext context, string? token)
    {
        if (MetricsEndpoint.Authorized(context.Request.Headers.Authorization.FirstOrDefault(), token))
        {
            return false;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
