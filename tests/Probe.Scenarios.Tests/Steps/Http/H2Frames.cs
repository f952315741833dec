using System.Buffers.Binary;

namespace Probe.Scenarios.Tests.Steps.Http;

/// <summary>HTTP/2 frames as test servers written frame by frame send them (RFC 9113 section 4.1).</summary>
internal static class H2Frames
{
    /// <summary>A frame: 24-bit length, type, flags, stream id, then <paramref name="payload"/>.</summary>
    public static byte[] Build(byte type, byte flags, int stream, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), stream);
        payload.CopyTo(frame.AsSpan(9));
        return frame;
    }
}
