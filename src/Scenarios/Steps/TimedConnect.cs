using System.Net;
using System.Net.Sockets;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Steps;

/// <summary>Opens a TCP connection (no Nagle) and times its DNS lookup and connect, for both HTTP clients' new connections.</summary>
internal static class TimedConnect
{
    /// <summary>The connected socket (the caller owns it) and its timings; DNS is −1 for an address literal.</summary>
    public static async ValueTask<(Socket Socket, ConnectTiming Timing)> ConnectAsync(DnsEndPoint endpoint, TimeProvider time, CancellationToken cancellation)
    {
        long start = time.GetTimestamp();
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellation).ConfigureAwait(false);
        long resolved = time.GetTimestamp();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellation).ConfigureAwait(false);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        long connected = time.GetTimestamp();
        return (socket, new ConnectTiming(literal is null ? time.ToNanoseconds(resolved - start) : -1, time.ToNanoseconds(connected - resolved), connected));
    }
}
