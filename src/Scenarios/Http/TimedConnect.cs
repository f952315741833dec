using System.Net;
using System.Net.Sockets;
using Probe.Engine.Timing;

namespace Probe.Scenarios.Http;

/// <summary>Opens a TCP connection (no Nagle) and times its DNS lookup and connect, for both HTTP clients' new connections.</summary>
internal static class TimedConnect
{
    /// <summary>The connected socket (the caller owns it) and its timings; DNS is −1 for an address literal.</summary>
    public static ValueTask<(Socket Socket, ConnectTiming Timing)> ConnectAsync(DnsEndPoint endpoint, TimeProvider time, CancellationToken cancellation) =>
        ConnectAsync(endpoint, time, static async (addresses, port, cancellation) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, port, cancellation).ConfigureAwait(false);
                return socket;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }, cancellation);

    /// <summary>What <paramref name="connect"/> opened to the resolved addresses, and its timings.</summary>
    public static async ValueTask<(T Connection, ConnectTiming Timing)> ConnectAsync<T>(DnsEndPoint endpoint, TimeProvider time, Func<IPAddress[], int, CancellationToken, ValueTask<T>> connect, CancellationToken cancellation)
    {
        long start = time.GetTimestamp();
        IPAddress[] addresses = IPAddress.TryParse(endpoint.Host, out IPAddress? literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endpoint.Host, cancellation).ConfigureAwait(false);
        long resolved = time.GetTimestamp();
        T connection = await connect(addresses, endpoint.Port, cancellation).ConfigureAwait(false);
        long connected = time.GetTimestamp();
        return (connection, new ConnectTiming(literal is null ? time.ToNanoseconds(resolved - start) : -1, time.ToNanoseconds(connected - resolved), connected));
    }
}
