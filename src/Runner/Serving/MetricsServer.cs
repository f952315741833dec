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
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            if (Refuse(context, token))
            {
                return;
            }

            (bool openMetrics, string contentType) = MetricsEndpoint.Negotiate(context.Request.Headers.Accept.ToString());
            context.Response.ContentType = contentType;
            using var body = new MemoryStream();
            registry.WriteTo(body, openMetrics);
            body.Position = 0;
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
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
