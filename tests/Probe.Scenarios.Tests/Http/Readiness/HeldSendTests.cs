using System.Net;
using System.Net.Sockets;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Tests.Http.Readiness;

/// <summary>
/// A send asked for while a readiness loop hands out its events (the continuation of an answer, as a
/// virtual user's next request is) waits for the end of that batch, so the requests a batch of answers
/// led to reach the target together. The peer's pending byte count tells whether a send went out.
/// </summary>
public class HeldSendTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)] // continuations on the loop's thread, as in `probe run`: held
    [InlineData(false)] // continuations on the thread pool: outside the batch, sent at once
    public async Task ASendAskedForInsideTheBatch_GoesOutOnlyWhenTheBatchIsHandedOut(bool inline)
    {
        using Connected c = await ConnectAsync(inline);
        Task<(bool Held, bool Pending, int PeerHadBytes, int Sent)> asking = AskInsideTheBatchAsync(c.Socket, c.Peer, "ping"u8.ToArray());
        await c.Peer.SendAsync("answer"u8.ToArray());
        (bool held, bool pending, int peerHad, int sent) = await asking.WaitAsync(Limit);

        Assert.Equal(inline, held);
        Assert.Equal(inline, pending);
        if (inline)
        {
            Assert.Equal(0, peerHad); // still in the batch: nothing went out
        }

        Assert.Equal(4, sent);
        Assert.Equal("ping", await ReceiveAsync(c.Peer, 4));
    }

    [Fact]
    public async Task ASendAskedForOutsideAnyBatch_GoesOutAtOnce()
    {
        using Connected c = await ConnectAsync(inline: true);
        ValueTask<int> sending = c.Socket.SendAsync("ping"u8.ToArray(), mayHold: true, CancellationToken.None, out bool held);
        Assert.False(held);
        Assert.True(sending.IsCompletedSuccessfully);
        Assert.Equal(4, await sending);
        Assert.Equal("ping", await ReceiveAsync(c.Peer, 4));
    }

    [Fact]
    public async Task ASendLargerThanASocketBufferTakesAtOnce_IsNotHeld()
    {
        using Connected c = await ConnectAsync(inline: true);
        byte[] large = new byte[ReadySocket.MaxHeldBytes + 1];
        Task<(bool Held, bool Pending, int PeerHadBytes, int Sent)> asking = AskInsideTheBatchAsync(c.Socket, c.Peer, large);
        await c.Peer.SendAsync("answer"u8.ToArray());
        (bool held, _, _, int sent) = await asking.WaitAsync(Limit);

        Assert.False(held);
        Assert.Equal(large.Length, sent);
    }

    [Fact]
    public async Task AHeldSendOnASocketClosedBeforeTheBatchEnds_FailsAsDisposed()
    {
        using Connected c = await ConnectAsync(inline: true);
        Task<bool> asking = HoldThenCloseAsync(c.Socket);
        await c.Peer.SendAsync("answer"u8.ToArray());

        Assert.True(await asking.WaitAsync(Limit));

        static async Task<bool> HoldThenCloseAsync(ReadySocket socket)
        {
            await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
            ValueTask<int> sending = socket.SendAsync("ping"u8.ToArray(), mayHold: true, CancellationToken.None, out bool held);
            socket.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await sending.ConfigureAwait(false)).ConfigureAwait(false);
            return held;
        }
    }

    /// <summary>Waits for an answer, then (in its continuation: on the loop's thread for an inline socket) asks to send <paramref name="data"/>.</summary>
    private static async Task<(bool Held, bool Pending, int PeerHadBytes, int Sent)> AskInsideTheBatchAsync(ReadySocket socket, Socket peer, byte[] data)
    {
        await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
        ValueTask<int> sending = socket.SendAsync(data, mayHold: true, CancellationToken.None, out bool held);
        bool pending = !sending.IsCompleted;
        int peerHad = peer.Available;
        int sent = await sending.ConfigureAwait(false);
        return (held, pending, peerHad, sent);
    }

    private static async Task<Connected> ConnectAsync(bool inline)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        ReadySocket socket = await ReadySocket.ConnectAsync([IPAddress.Loopback], port, inline, CancellationToken.None).AsTask().WaitAsync(Limit);
        Socket peer = await listener.AcceptAsync().WaitAsync(Limit);
        return new Connected(listener, socket, peer);
    }

    /// <summary>A ready socket, the listener it connected to, and the peer that accepted it.</summary>
    private sealed record Connected(Socket Listener, ReadySocket Socket, Socket Peer) : IDisposable
    {
        public void Dispose()
        {
            Socket.Dispose();
            Peer.Dispose();
            Listener.Dispose();
        }
    }

    private static async Task<string> ReceiveAsync(Socket peer, int length)
    {
        byte[] buffer = new byte[length];
        int have = 0;
        while (have < length)
        {
            have += await peer.ReceiveAsync(buffer.AsMemory(have)).AsTask().WaitAsync(Limit);
        }

        return System.Text.Encoding.ASCII.GetString(buffer);
    }
}
