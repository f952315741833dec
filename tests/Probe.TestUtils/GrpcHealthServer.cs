using Grpc.Health.V1;
using Grpc.HealthCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Probe.TestUtils;

/// <summary>
/// A real gRPC server on loopback (Kestrel, HTTP/2 with prior knowledge) serving the standard
/// grpc.health.v1 health service, whose statuses a test sets per service.
/// </summary>
public sealed class GrpcHealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcHealthServer(WebApplication app, HealthServiceImpl health, Uri address)
    {
        _app = app;
        Health = health;
        Address = address;
    }

    /// <summary>The base address, such as http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>The statuses it answers: <c>Health.SetStatus("shop.v1.Catalog", ServingStatus.NotServing)</c>.</summary>
    public HealthServiceImpl Health { get; }

    public static async Task<GrpcHealthServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        var health = new HealthServiceImpl();
        health.SetStatus(string.Empty, HealthCheckResponse.Types.ServingStatus.Serving);
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(health);
        WebApplication app = builder.Build();
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GrpcHealthServer(app, health, new Uri(bound.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
