using System.Net;
using System.Net.Sockets;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Tests.Http.Readiness;

public class SocketCallsTests
{
    [Theory]
    [InlineData(11, SocketError.WouldBlock)] // EAGAIN
    [InlineData(104, SocketError.ConnectionReset)] // ECONNRESET
    [InlineData(111, SocketError.ConnectionRefused)] // ECONNREFUSED
    [InlineData(110, SocketError.TimedOut)] // ETIMEDOUT
    [InlineData(107, SocketError.NotConnected)] // ENOTCONN
    [InlineData(32, SocketError.Shutdown)] // EPIPE
    public void ErrorOf_AnErrno_IsTheSocketErrorDotNetReports(int errno, SocketError expected)
    {
        Assert.Equal(expected, SocketCalls.ErrorOf(errno));
    }

    [Fact]
    public void ErrorOf_AnErrnoDotNetDoesNotName_IsTheGenericError()
    {
        Assert.Equal(SocketError.SocketError, SocketCalls.ErrorOf(12345));
    }

    [Fact]
    public async Task SendAndReceive_OnAConnectedPair_MoveTheBytes_AndSayWhenNothingIsThere()
    {
        (Socket client, Socket server) = await PairAsync();
        using (client)
        using (server)
        {
            Span<byte> buffer = stackalloc byte[64];
            Assert.Equal(0, SocketCalls.Receive(client.SafeHandle, buffer, out SocketError empty));
            Assert.Equal(SocketError.WouldBlock, empty);

            Assert.Equal(5, SocketCalls.Send(client.SafeHandle, "hello"u8, out SocketError sent));
            Assert.Equal(SocketError.Success, sent);
            byte[] received = new byte[5];
            Assert.Equal(5, server.Receive(received));
            Assert.Equal("hello"u8.ToArray(), received);

            server.Shutdown(SocketShutdown.Send);
            Assert.True(client.Poll(5_000_000, SelectMode.SelectRead));
            Assert.Equal(0, SocketCalls.Receive(client.SafeHandle, buffer, out SocketError ended));
            Assert.Equal(SocketError.Success, ended);
        }
    }

    [Fact]
    public async Task Receive_AfterThePeerReset_IsConnectionReset_AndAClosedSocketIsDisposed()
    {
        (Socket client, Socket server) = await PairAsync();
        using (client)
        {
            server.LingerState = new LingerOption(true, 0); // close sends RST
            server.Close();
            Assert.True(client.Poll(5_000_000, SelectMode.SelectRead));
            byte[] buffer = new byte[16];
            Assert.Equal(0, SocketCalls.Receive(client.SafeHandle, buffer, out SocketError reset));
            Assert.Equal(SocketError.ConnectionReset, reset);
            Assert.Equal("Connection reset by peer", new SocketException((int)reset).Message);
        }

        Assert.Throws<ObjectDisposedException>(() => SocketCalls.Send(client.SafeHandle, "x"u8, out _));
    }

    private static async Task<(Socket Client, Socket Server)> PairAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        Socket server = await listener.AcceptAsync();
        client.Blocking = false;
        return (client, server);
    }
}
