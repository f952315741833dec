using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Probe.Engine.Stats;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>
/// Probe's HTTP/2 client against a server written frame by frame (prior knowledge h2c), for flow control
/// no ready-made server does on demand: a stream window far smaller than the body, opened later by a
/// new SETTINGS_INITIAL_WINDOW_SIZE (which moves the window of a stream already open, RFC 9113 section 6.9.2).
/// </summary>
[Collection(RealTimeCollection.Name)]
public class Http2FlowControlTests
{
    private const int FirstWindow = 100;
    private const int BodyLength = 200_000;

    [Fact]
    public async Task Upload_WaitsAtTheStreamWindow_AndGoesOnWhenANewInitialWindowOpensIt()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        Task<(int BeforeOpening, int Total)> serving = ServeOneUploadAsync(listener);
        string body = new('b', BodyLength);
        string step = $$"""{ "name": "upload", "http": { "method": "POST", "path": "/upload", "body": "{{body}}" }, "timeout": "10s", "checks": ["status == 200"] }""";

        StepSnapshot run = (await StepRuns.RunAsync(new Uri($"http://{listener.LocalEndPoint}"), [step], targetFields: "\"http\": \"2\""))[0];
        (int beforeOpening, int total) = await serving.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(run.Ok == 1, string.Join("; ", run.FailureMessages));
        Assert.Equal(FirstWindow, beforeOpening); // no byte past the stream's window until the server opened it
        Assert.Equal(BodyLength, total);
    }

    /// <summary>Takes one connection: a 100-byte initial window; once 100 bytes came, a window of 1 MB (stream and connection); 200 at the end of the body.</summary>
    private static async Task<(int, int)> ServeOneUploadAsync(Socket listener)
    {
        using Socket client = await listener.AcceptAsync();
        await using var stream = new NetworkStream(client, ownsSocket: false);
        byte[] preface = new byte[24];
        await stream.ReadExactlyAsync(preface);
        await WriteFrameAsync(stream, 0x4, 0, 0, Setting(0x4, FirstWindow));
        int received = 0;
        int beforeOpening = -1;
        while (true)
        {
            byte[] header = new byte[9];
            await stream.ReadExactlyAsync(header);
            int length = (header[0] << 16) | (header[1] << 8) | header[2];
            byte type = header[3];
            byte flags = header[4];
            int id = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & int.MaxValue;
            byte[] payload = new byte[length];
            await stream.ReadExactlyAsync(payload);
            if (type != 0x0)
            {
                continue; // the client's SETTINGS, its ACK, WINDOW_UPDATE, the request's HEADERS
            }

            received += length;
            if (beforeOpening < 0 && received >= FirstWindow)
            {
                beforeOpening = received;
                await WriteFrameAsync(stream, 0x4, 0, 0, Setting(0x4, 1_000_000));
                await WriteFrameAsync(stream, 0x8, 0, 0, Increment(1_000_000));
            }

            if ((flags & 0x1) != 0)
            {
                await WriteFrameAsync(stream, 0x1, 0x5, id, [0x88]); // HEADERS :status 200 (HPACK static index 8), END_HEADERS | END_STREAM
                return (beforeOpening, received);
            }
        }
    }

    private static byte[] Setting(ushort id, int value)
    {
        byte[] payload = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, id);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(2), value);
        return payload;
    }

    private static byte[] Increment(int value)
    {
        byte[] payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, value);
        return payload;
    }

    private static async Task WriteFrameAsync(NetworkStream stream, byte type, byte flags, int id, byte[] payload) =>
        await stream.WriteAsync(H2Frames.Build(type, flags, id, payload));
}
