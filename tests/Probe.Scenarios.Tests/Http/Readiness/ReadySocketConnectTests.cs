using System.Net;
using System.Net.Sockets;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Tests.Http.Readiness;

public class ReadySocketConnectTests
{
    public static TheoryData<string> Loopbacks => ["127.0.0.1", "::1"];

    [Theory]
    [MemberData(nameof(Loopbacks))]
    public async Task ConnectAsync_ToAListener_ConnectsWithoutAnExceptionOnTheWay(string loopback)
    {
        IPAddress address = IPAddress.Parse(loopback);
        if (!CanListenOn(address))
        {
            return; // a host without IPv6 loopback (Docker's default) has nothing to connect to over it
        }

        using Socket listener = Listen(address);
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        // The synchronous part of the connect runs on this thread: no exception may be raised there,
        // caught or not (a non-blocking connect in progress is not an error).
        int thread = Environment.CurrentManagedThreadId;
        var raised = new List<Exception>();
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (Environment.CurrentManagedThreadId == thread)
            {
                lock (raised)
                {
                    raised.Add(e.Exception);
                }
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        ValueTask<ReadySocket> connecting;
        try
        {
            connecting = ReadySocket.ConnectAsync([address], port, inline: false, CancellationToken.None);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }

        using ReadySocket socket = await connecting.AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(raised);

        using Socket accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(4, await socket.SendAsync("ping"u8.ToArray(), CancellationToken.None));
        byte[] received = new byte[4];
        Assert.Equal(4, await accepted.ReceiveAsync(received));
        Assert.Equal("ping"u8.ToArray(), received);
        Assert.Equal(port, ((IPEndPoint)accepted.LocalEndPoint!).Port);
    }

    [Fact]
    public async Task ConnectAsync_ToAPortNobodyListensOn_FailsAsRefused()
    {
        int port;
        using (Socket listener = Listen(IPAddress.Loopback))
        {
            port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        }

        var refused = await Assert.ThrowsAsync<SocketException>(async () =>
            await ReadySocket.ConnectAsync([IPAddress.Loopback], port, inline: false, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }

    [Fact]
    public async Task ConnectAsync_TriesTheNextAddress_WhenTheFirstRefuses()
    {
        int closed;
        using (Socket gone = Listen(IPAddress.Loopback))
        {
            closed = ((IPEndPoint)gone.LocalEndPoint!).Port;
        }

        // The same port on two loopback addresses: 127.0.0.2 has no listener, 127.0.0.1 has one.
        using Socket listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, closed));
        listener.Listen();
        using ReadySocket socket = await ReadySocket.ConnectAsync([IPAddress.Parse("127.0.0.2"), IPAddress.Loopback], closed, inline: false, CancellationToken.None)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        using Socket accepted = await listener.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(IPAddress.Loopback, ((IPEndPoint)accepted.RemoteEndPoint!).Address);
    }

    private static bool CanListenOn(IPAddress address)
    {
        try
        {
            Listen(address).Dispose();
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported)
        {
            return false;
        }
    }

    private static Socket Listen(IPAddress address)
    {
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen();
        return listener;
    }
}
