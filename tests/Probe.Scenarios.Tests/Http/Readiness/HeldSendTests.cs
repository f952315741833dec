using System.Net;
using System.Net.Sockets;
using Probe.Scenarios.Http.Readiness;

namespace Probe.Scenarios.Tests.Http.Readiness;

/// <summary>
/// A send asked for while a readiness loop hands out its events (the continuation of an answer, as a
/// virtual user's next request is) waits for the end of that batch, so the requests a batch of answers
/// led to reach the target together. A held send is written behind: it completes at once, and the receive
/// that waits for its answer sends what the socket could not take. The peer's pending byte count tells
/// whether a send went out.
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
        Assert.False(pending); // a held send is written behind; the other went out at once
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
        ValueTask<int> sending = c.Socket.SendAsync("ping"u8.ToArray(), Clock, CancellationToken.None, out bool held);
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
    public async Task AHeldSendOnASocketClosedBeforeTheBatchEnds_NeverGoesOut_AndItsReceiveFailsAsDisposed()
    {
        using Connected c = await ConnectAsync(inline: true);
        Task<bool> asking = HoldThenCloseAsync(c.Socket);
        await c.Peer.SendAsync("answer"u8.ToArray());

        Assert.True(await asking.WaitAsync(Limit));
        Assert.Equal(string.Empty, await ReceiveAsync(c.Peer, 4)); // the end of the stream, and nothing before it

        static async Task<bool> HoldThenCloseAsync(ReadySocket socket)
        {
            await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
            ValueTask<int> sending = socket.SendAsync("ping"u8.ToArray(), Clock, CancellationToken.None, out bool held);
            Assert.Equal(4, await sending.ConfigureAwait(false));
            socket.Dispose();
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false)).ConfigureAwait(false);
            return held;
        }
    }

    [Fact]
    public async Task AHeldSendTheSocketCannotTakeAtTheBatchsEnd_IsFinishedByTheReceiveThatWaitsForItsAnswer()
    {
        using Connected c = await ConnectAsync(inline: true, smallBuffers: true);
        int filler = Fill(c.Socket.Socket, c.Peer);
        Task<(bool Held, int Answer)> asking = HoldThenAwaitAnswerAsync(c.Socket);
        await c.Peer.SendAsync("answer"u8.ToArray());

        // The peer reads the filler; the room that makes lets the held request out, after it and whole.
        string tail = await ReceiveTailAsync(c.Peer, filler + 4, 4);
        Assert.Equal("ping", tail);
        await c.Peer.SendAsync("pong"u8.ToArray());
        (bool held, int answer) = await asking.WaitAsync(Limit);

        Assert.True(held);
        Assert.Equal(4, answer);

        static async Task<(bool Held, int Answer)> HoldThenAwaitAnswerAsync(ReadySocket socket)
        {
            await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
            await socket.SendAsync("ping"u8.ToArray(), Clock, CancellationToken.None, out bool held).ConfigureAwait(false);
            int answer = await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
            return (held, answer);
        }
    }

    /// <summary>Waits for an answer, then (in its continuation: on the loop's thread for an inline socket) asks to send <paramref name="data"/>.</summary>
    private static async Task<(bool Held, bool Pending, int PeerHadBytes, int Sent)> AskInsideTheBatchAsync(ReadySocket socket, Socket peer, byte[] data)
    {
        await socket.ReceiveAsync(new byte[16], CancellationToken.None).ConfigureAwait(false);
        ValueTask<int> sending = socket.SendAsync(data, Clock, CancellationToken.None, out bool held);
        bool pending = !sending.IsCompleted;
        int peerHad = peer.Available;
        int sent = await sending.ConfigureAwait(false);
        return (held, pending, peerHad, sent);
    }

    private static TimeProvider Clock => TimeProvider.System;

    private static async Task<Connected> ConnectAsync(bool inline, bool smallBuffers = false)
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (smallBuffers)
        {
            listener.ReceiveBufferSize = 4096; // inherited by the accepted peer, before its window is offered
        }

        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        ReadySocket socket = await ReadySocket.ConnectAsync([IPAddress.Loopback], port, inline, CancellationToken.None).AsTask().WaitAsync(Limit);
        if (smallBuffers)
        {
            socket.Socket.SendBufferSize = 4096;
        }

        Socket peer = await listener.AcceptAsync().WaitAsync(Limit);
        return new Connected(listener, socket, peer);
    }

    /// <summary>
    /// Sends to <paramref name="socket"/>'s peer (which does not read) until the socket's buffer is full for good: more
    /// than the peer's buffer holds has gone, so its window is shut, and the socket takes no more. Returns how much.
    /// </summary>
    private static int Fill(Socket socket, Socket peer)
    {
        byte[] chunk = new byte[1024];
        int total = 0;
        while (true)
        {
            int sent = socket.Send(chunk, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                if (total > peer.ReceiveBufferSize)
                {
                    return total;
                }

                // Full only until the peer's (delayed) acknowledgement frees the buffer.
                Assert.True(socket.Poll(Limit, SelectMode.SelectWrite));
                continue;
            }

            Assert.Equal(SocketError.Success, error);
            total += sent;
        }
    }

    /// <summary>Reads <paramref name="length"/> bytes from <paramref name="peer"/>; returns the last <paramref name="tail"/> of them.</summary>
    private static async Task<string> ReceiveTailAsync(Socket peer, int length, int tail)
    {
        byte[] buffer = new byte[length];
        int have = 0;
        while (have < length)
        {
            int got = await peer.ReceiveAsync(buffer.AsMemory(have)).AsTask().WaitAsync(Limit);
            Assert.NotEqual(0, got);
            have += got;
        }

        return System.Text.Encoding.ASCII.GetString(buffer, length - tail, tail);
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

    /// <summary>Reads up to <paramref name="length"/> bytes from <paramref name="peer"/>, fewer when the stream ends first.</summary>
    private static async Task<string> ReceiveAsync(Socket peer, int length)
    {
        byte[] buffer = new byte[length];
        int have = 0, got = -1;
        while (have < length && got != 0)
        {
            got = await peer.ReceiveAsync(buffer.AsMemory(have)).AsTask().WaitAsync(Limit);
            have += got;
        }

        return System.Text.Encoding.ASCII.GetString(buffer, 0, have);
    }
}
