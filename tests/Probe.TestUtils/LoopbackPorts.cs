namespace Probe.TestUtils;

/// <summary>Ports on 127.0.0.1 for servers the tests start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port nothing listens on right now.</summary>
    public static int Free()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
