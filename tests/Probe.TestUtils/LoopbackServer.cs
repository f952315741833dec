using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using System.Security.Cryptography.X509Certificates;

namespace Probe.TestUtils;

/// <summary>A real Kestrel server on 127.0.0.1 and a free port, with the endpoints a test maps.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The base address, such as http://127.0.0.1:41234/.</summary>
    public Uri Address { get; }

    /// <summary>Starts a plain HTTP server, or HTTPS with <paramref name="certificate"/>.</summary>
    public static Task<LoopbackServer> StartAsync(Action<IEndpointRouteBuilder> map, X509Certificate2? certificate = null) =>
        StartAsync(map, certificate, HttpProtocols.Http1AndHttp2, ClientCertificateMode.NoCertificate);

    /// <summary>
    /// Starts a server speaking <paramref name="protocols"/> (HTTP/2 alone on plain HTTP is prior knowledge, h2c),
    /// with TLS when given a <paramref name="certificate"/>, asking clients for certificates as <paramref name="clientCertificates"/> says (any is accepted).
    /// </summary>
    /// <remarks><paramref name="limits"/> sets Kestrel's limits (such as HTTP/2 streams per connection).</remarks>
    public static async Task<LoopbackServer> StartAsync(Action<IEndpointRouteBuilder> map, X509Certificate2? certificate, HttpProtocols protocols, ClientCertificateMode clientCertificates, Action<KestrelServerLimits>? limits = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (certificate is null && protocols == HttpProtocols.Http1AndHttp2)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseKestrelHttpsConfiguration();
            builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o =>
            {
                limits?.Invoke(k.Limits);
                o.Protocols = protocols;
                if (certificate is not null)
                {
                    o.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        ClientCertificateMode = clientCertificates,
                        ClientCertificateValidation = (_, _, _) => true,
                    });
                }
            }));
        }

        WebApplication app = builder.Build();
        map(app);
        await app.StartAsync();
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, new Uri(bound.TrimEnd('/') + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
