using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Probe.DemoTarget.Hosting;

/// <summary>The small Kestrel servers Probe runs (the demo target, /metrics): one endpoint, no framework logging.</summary>
public static class QuietKestrel
{
    /// <summary>A minimal application listening on <paramref name="endpoint"/> only.</summary>
    public static WebApplication Create(IPEndPoint endpoint)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        return builder.Build();
    }

    /// <summary>The started application's base address (with the port Kestrel chose for port 0), ending in '/'.</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(bound.TrimEnd('/') + "/");
    }
}
