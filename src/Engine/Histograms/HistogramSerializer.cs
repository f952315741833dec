namespace Probe.Engine.Histograms;

/// <summary>
/// The compact serialized form of a <see cref="LatencyHistogram"/>: the stripes merged, then only the
/// non-empty buckets as (gap of empty buckets, count) pairs of unsigned LEB128 varints.
/// </summary>
/// <remarks>
/// Layout: "PH" magic, format version 1, unit shift, sub-bucket bits, bucket count (varint), pair
/// count (varint), pairs. A histogram of one latency distribution typically takes tens to a few
/// hundred bytes. Deserializing gives exactly the same counts.
/// </remarks>
public static class HistogramSerializer
{
    private const byte Version = 1;

    /// <summary>Serializes <paramref name="histogram"/> into a new byte array.</summary>
    public static byte[] Serialize(LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        long[] counts = new long[LatencyHistogram.BucketLength];
        histogram.CopyCountsTo(counts);
        return Serialize(counts);
    }

    internal static byte[] Serialize(ReadOnlySpan<long> counts)
    {
        int pairs = 0;
        foreach (long c in counts)
        {
            if (c != 0)
            {
                pairs++;
            }
        }

        var buffer = new byte[5 + (2 * 5) + (pairs * (5 + 10))];
        int at = 0;
        buffer[at++] = (byte)'P';
        buffer[at++] = (byte)'H';
        buffer[at++] = Version;
        buffer[at++] = LatencyHistogram.UnitShift;
        buffer[at++] = LatencyHistogram.SubBucketBits;
        at = WriteVarint(buffer, at, (ulong)counts.Length);
        at = WriteVarint(buffer, at, (ulong)pairs);
        int last = -1;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            at = WriteVarint(buffer, at, (ulong)(i - last - 1));
            at = WriteVarint(buffer, at, (ulong)counts[i]);
            last = i;
        }

        return buffer.AsSpan(0, at).ToArray();
    }

    /// <summary>Reads a histogram written by <see cref="Serialize(LatencyHistogram)"/>.</summary>
    /// <exception cref="FormatException">The bytes are not a histogram of this layout.</exception>
    public static LatencyHistogram Deserialize(ReadOnlySpan<byte> data)
    {
        var histogram = new LatencyHistogram(1);
        long[] counts = new long[LatencyHistogram.BucketLength];
        ReadCounts(data, counts);
        histogram.AddCounts(counts);
        return histogram;
    }

    /// <summary>Adds the counts in <paramref name="data"/>, times <paramref name="sign"/> (1 or −1), to <paramref name="counts"/>.</summary>
    internal static void ReadCounts(ReadOnlySpan<byte> data, Span<long> counts, int sign = 1)
    {
        if (data.Length < 5 || data[0] != 'P' || data[1] != 'H')
        {
            throw new FormatException("Not a serialized Probe histogram (the magic 'PH' is missing).");
        }

        if (data[2] != Version || data[3] != LatencyHistogram.UnitShift || data[4] != LatencyHistogram.SubBucketBits)
        {
            throw new FormatException($"Unsupported histogram layout: version {data[2]}, unit shift {data[3]}, sub-bucket bits {data[4]}.");
        }

        int at = 5;
        ulong length = ReadVarint(data, ref at);
        if (length != (ulong)counts.Length)
        {
            throw new FormatException($"The histogram has {length} buckets; this build uses {counts.Length}.");
        }

        ulong pairs = ReadVarint(data, ref at);
        long index = -1;
        for (ulong p = 0; p < pairs; p++)
        {
            index += (long)ReadVarint(data, ref at) + 1;
            if (index >= counts.Length)
            {
                throw new FormatException("A bucket index is past the end of the histogram.");
            }

            counts[(int)index] += sign * (long)ReadVarint(data, ref at);
        }
    }

    private static int WriteVarint(byte[] buffer, int at, ulong value)
    {
        while (value >= 0x80)
        {
            buffer[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[at++] = (byte)value;
        return at;
    }

    private static ulong ReadVarint(ReadOnlySpan<byte> data, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (at >= data.Length)
            {
                throw new FormatException("The histogram data ends inside a number.");
            }

            byte b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new FormatException("A number in the histogram data is longer than 64 bits.");
    }
}
