using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Probe.Engine.Histograms;

/// <summary>
/// A log-linear (HDR-like) histogram of durations in nanoseconds, with at most 0.4 % relative error
/// from 1 µs to 73 minutes, fixed memory (4,224 counters per stripe), lock-free concurrent recording
/// and exact merge.
/// </summary>
/// <remarks>
/// Values are counted in units of 8 ns. Units below 256 have a counter each; above, every power of
/// two is split into 128 equal sub-buckets, so a bucket is never wider than 1/128 of its lower bound
/// and its midpoint is within 1/256 of any value in it. Values past <see cref="MaxTrackableNanoseconds"/>
/// are counted in the last bucket. Recording is one interlocked increment into the stripe of the
/// current processor, so threads on different cores do not fight over cache lines.
/// </remarks>
public sealed class LatencyHistogram
{
    internal const int UnitShift = 3;
    internal const int SubBucketBits = 8;
    internal const int SubBucketHalfBits = SubBucketBits - 1;
    internal const int BucketLength = 256 + (31 * 128);
    private const long MaxUnits = (1L << 39) - 1;

    /// <summary>The largest value told apart from others: about 73 minutes.</summary>
    public const long MaxTrackableNanoseconds = MaxUnits << UnitShift;

    private readonly long[] _counts;
    private readonly int _stripeMask;

    /// <summary>Creates a histogram striped for concurrent recording on this machine's processors.</summary>
    public LatencyHistogram()
        : this(DefaultStripes)
    {
    }

    /// <summary>Creates a histogram with <paramref name="stripes"/> recording stripes (a power of two, 1 to 64).</summary>
    public LatencyHistogram(int stripes)
    {
        if (stripes < 1 || stripes > 64 || !BitOperations.IsPow2(stripes))
        {
            throw new ArgumentOutOfRangeException(nameof(stripes), stripes, "Must be a power of two from 1 to 64.");
        }

        _stripeMask = stripes - 1;
        _counts = new long[stripes * BucketLength];
    }

    /// <summary>The default stripe count: the processor count rounded up to a power of two, at most 16.</summary>
    public static int DefaultStripes { get; } = (int)Math.Min(16, BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));

    internal int Stripes => _stripeMask + 1;

    /// <summary>Records one duration given in nanoseconds; negative values count as zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long nanoseconds)
    {
        int stripe = _stripeMask == 0 ? 0 : Thread.GetCurrentProcessorId() & _stripeMask;
        Interlocked.Increment(ref _counts[(stripe * BucketLength) + IndexOf(nanoseconds)]);
    }

    /// <summary>Records <paramref name="count"/> occurrences of one duration (not thread-safe with <see cref="Reset"/>).</summary>
    public void Record(long nanoseconds, long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _counts[IndexOf(nanoseconds)], count);
    }

    /// <summary>The number of recorded values.</summary>
    public long TotalCount
    {
        get
        {
            long total = 0;
            foreach (long c in _counts)
            {
                total += c;
            }

            return total;
        }
    }

    /// <summary>Adds every count of <paramref name="other"/> to this histogram: the result is the histogram of the union.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        long[] source = other._counts;
        for (int s = 0; s < source.Length; s += BucketLength)
        {
            AddCounts(source.AsSpan(s, BucketLength));
        }
    }

    /// <summary>Clears every count. Not atomic with respect to concurrent recording.</summary>
    public void Reset() => Array.Clear(_counts);

    /// <summary>Computes count, mean, min, max and the usual percentiles in one pass.</summary>
    public LatencySummary Summarize()
    {
        long[] merged = ArrayPool<long>.Shared.Rent(BucketLength);
        try
        {
            Span<long> counts = merged.AsSpan(0, BucketLength);
            CopyCountsTo(counts);
            return LatencySummary.FromCounts(counts);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(merged);
        }
    }

    /// <summary>The value at <paramref name="percentile"/> (0 to 100) in nanoseconds, or 0 when empty.</summary>
    public long GetValueAtPercentile(double percentile)
    {
        long[] merged = ArrayPool<long>.Shared.Rent(BucketLength);
        try
        {
            Span<long> counts = merged.AsSpan(0, BucketLength);
            CopyCountsTo(counts);
            return LatencySummary.ValueAtPercentile(counts, TotalOf(counts), percentile);
        }
        finally
        {
            ArrayPool<long>.Shared.Return(merged);
        }
    }

    /// <summary>The non-empty buckets, lowest first: each bucket's range in nanoseconds [low, high) and its count.</summary>
    public IReadOnlyList<(long LowNanoseconds, long HighNanoseconds, long Count)> Buckets()
    {
        long[] counts = new long[BucketLength];
        CopyCountsTo(counts);
        var buckets = new List<(long, long, long)>();
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                buckets.Add((LowestOf(i), LowestOf(i) + WidthOf(i), counts[i]));
            }
        }

        return buckets;
    }

    /// <summary>Merges the stripes into <paramref name="destination"/> (length <see cref="BucketLength"/>), overwriting it.</summary>
    internal void CopyCountsTo(Span<long> destination)
    {
        _counts.AsSpan(0, BucketLength).CopyTo(destination);
        for (int s = BucketLength; s < _counts.Length; s += BucketLength)
        {
            ReadOnlySpan<long> stripe = _counts.AsSpan(s, BucketLength);
            for (int i = 0; i < BucketLength; i++)
            {
                destination[i] += stripe[i];
            }
        }
    }

    /// <summary>Adds merged counts (one stripe's layout) into stripe 0.</summary>
    internal void AddCounts(ReadOnlySpan<long> counts)
    {
        Span<long> target = _counts.AsSpan(0, BucketLength);
        for (int i = 0; i < BucketLength; i++)
        {
            if (counts[i] != 0)
            {
                target[i] += counts[i];
            }
        }
    }

    internal static long TotalOf(ReadOnlySpan<long> counts)
    {
        long total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int IndexOf(long nanoseconds)
    {
        long units = Math.Clamp(nanoseconds >> UnitShift, 0, MaxUnits);
        int shift = BitOperations.Log2((ulong)units | 0xFF) - SubBucketHalfBits;
        return (shift << SubBucketHalfBits) + (int)(units >> shift);
    }

    /// <summary>The lowest nanosecond value counted in bucket <paramref name="index"/>.</summary>
    internal static long LowestOf(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketHalfBits) - 1);
        long top = index - (shift << SubBucketHalfBits);
        return (top << shift) << UnitShift;
    }

    /// <summary>The width in nanoseconds of bucket <paramref name="index"/>.</summary>
    internal static long WidthOf(int index)
    {
        int shift = Math.Max(0, (index >> SubBucketHalfBits) - 1);
        return (1L << shift) << UnitShift;
    }

    /// <summary>The value reported for bucket <paramref name="index"/>: its midpoint.</summary>
    internal static long MidpointOf(int index) => LowestOf(index) + (WidthOf(index) / 2);
}
