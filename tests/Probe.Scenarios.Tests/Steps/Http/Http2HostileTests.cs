using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Probe.Engine.Results;
using Probe.Engine.Stats;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// Probe's HTTP/2 client against a server that sends exactly the frames a test gives (prior knowledge on
/// plain HTTP): header blocks built to fill the client's memory must fail as protocol errors at once, not
/// grow until the step's timeout.
/// </summary>
public class Http2HostileTests
{
    private const string Http2 = "\"http\": \"2\"";

    [Fact]
    public async Task Http2_ContinuationFramesWithoutEnd_FailAsProtocolPastTheHeaderLimit()
    {
        // A header block that never ends: 16 KB CONTINUATION frames, up to 16 MB, none with END_HEADERS.
        await using var server = new FrameServer(async (socket, stream) =>
        {
            await Send(socket, Frame(0x1, 0x0, stream, [0x88])); // HEADERS, :status 200, no END_HEADERS
            byte[] fragment = Frame(0x9, 0x0, stream, new byte[16_384]);
            for (int i = 0; i < 1_000; i++)
            {
                await Send(socket, fragment);
            }
        });

        StepSnapshot run = (await StepRuns.RunAsync(server.Address, ["""{ "name": "flood", "http": { "path": "/" }, "timeout": "30s" }"""], iterations: 2, targetFields: Http2))[0];

        Assert.Equal(FailureReason.Protocol, run.FailureReasons.Keys.Single());
        Assert.Contains("the server's header block passes 64 KB", run.FailureMessages[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http2_HeaderBlockThatDecodesToMegabytes_FailsAsProtocol()
    {
        // 20 KB that decode to 64 MB: one 4,000-byte field put in the dynamic table, then named 16,000 times by one byte each.
        byte[] value = [.. Enumerable.Repeat((byte)'a', 4_000)];
        byte[] block = [0x88, 0x40, 0x01, (byte)'x', 0x7f, 0xa1, 0x1e, .. value, .. Enumerable.Repeat((byte)0xbe, 16_000)];
        await using var server = new FrameServer(async (socket, stream) =>
        {
            await Send(socket, Frame(0x1, 0x1, stream, block[..16_384])); // HEADERS with END_STREAM, continued
            await Send(socket, Frame(0x9, 0x4, stream, block[16_384..])); // CONTINUATION with END_HEADERS
        });

        StepSnapshot run = (await StepRuns.RunAsync(server.Address, ["""{ "name": "bomb", "http": { "path": "/" }, "timeout": "30s" }"""], iterations: 2, targetFields: Http2))[0];

        Assert.Equal(FailureReason.Protocol, run.FailureReasons.Keys.Single());
        Assert.Contains("HPACK: the answer's headers decode to more than 64 KB", run.FailureMessages[0], StringComparison.Ordinal);
    }

    private static ValueTask<int> Send(Socket socket, byte[] bytes) => socket.SendAsync(bytes.AsMemory(), SocketFlags.None);

    private static byte[] Frame(byte type, byte flags, int stream, byte[] payload) => H2Frames.Build(type, flags, stream, payload);

    /// <summary>
    /// An h2c server that answers each request's HEADERS frame with <c>answer(socket, stream)</c>: it sends its
    /// SETTINGS, acknowledges the client's, and reads the client's frames after its preface.
    /// </summary>
    private sealed class FrameServer : IAsyncDisposable
    {
        private const int PrefaceSize = 24;
        private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly Func<Socket, int, Task> _answer;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public FrameServer(Func<Socket, int, Task> answer)
        {
            _answer = answer;
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(16);
            Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndPoint!).Port}/");
            _accepting = AcceptAsync();
        }

        public Uri Address { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Dispose();
            await _accepting;
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    _ = ServeAsync(await _listener.AcceptAsync(_stop.Token));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using (socket)
            {
                try
                {
                    await Send(socket, Frame(0x4, 0x0, 0, []));
                    byte[] buffer = new byte[1 << 20];
                    int end = 0;
                    int at = PrefaceSize;
                    while (true)
                    {
                        int read = await socket.ReceiveAsync(buffer.AsMemory(end), _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        end += read;
                        while (at + 9 <= end && at + 9 + ((buffer[at] << 16) | (buffer[at + 1] << 8) | buffer[at + 2]) <= end)
                        {
                            int length = (buffer[at] << 16) | (buffer[at + 1] << 8) | buffer[at + 2];
                            byte type = buffer[at + 3];
                            int stream = BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(at + 5)) & int.MaxValue;
                            if (type == 0x4 && (buffer[at + 4] & 0x1) == 0)
                            {
                                await Send(socket, Frame(0x4, 0x1, 0, []));
                            }
                            else if (type == 0x1)
                            {
                                await _answer(socket, stream);
                            }

                            at += 9 + length;
                        }
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    // The client closed the connection, or the test ended.
                }
            }
        }
    }
}
