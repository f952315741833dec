namespace Probe.Engine.Histograms;

/// <summary>
/// Count, mean, extremes and the usual percentiles of a <see cref="LatencyHistogram"/>, in nanoseconds,
/// each within the histogram's precision (0.4 % of the value).
/// </summary>
public readonly record struct LatencySummary(
    long Count,
    long MeanNanoseconds,
    long MinNanoseconds,
    long P50Nanoseconds,
    long P75Nanoseconds,
    long P90Nanoseconds,
    long P95Nanoseconds,
    long P99Nanoseconds,
    long P999Nanoseconds,
    long MaxNanoseconds)
{
    /// <summary>The summary of an empty histogram: every figure 0.</summary>
    public static LatencySummary Empty => default;

    /// <summary>Reads a percentile by its number: 50, 75, 90, 95, 99 or 99.9; others are not kept.</summary>
    public bool TryGetPercentile(double percentile, out long nanoseconds)
    {
        nanoseconds = percentile switch
        {
            50 => P50Nanoseconds,
            75 => P75Nanoseconds,
            90 => P90Nanoseconds,
            95 => P95Nanoseconds,
            99 => P99Nanoseconds,
            99.9 => P999Nanoseconds,
            100 => MaxNanoseconds,
            _ => -1,
        };
        return nanoseconds >= 0;
    }

    internal static LatencySummary FromCounts(ReadOnlySpan<long> counts)
    {
        long total = LatencyHistogram.TotalOf(counts);
        if (total == 0)
        {
            return Empty;
        }

        // One walk finds every percentile: ranks are visited in increasing order.
        ReadOnlySpan<double> wanted = [50, 75, 90, 95, 99, 99.9];
        Span<long> found = stackalloc long[wanted.Length];
        int next = 0;
        long nextRank = RankOf(wanted[0], total);
        long cumulative = 0;
        double sum = 0;
        int min = -1;
        int max = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            long c = counts[i];
            if (c == 0)
            {
                continue;
            }

            if (min < 0)
            {
                min = i;
            }

            max = i;
            cumulative += c;
            sum += (double)c * LatencyHistogram.MidpointOf(i);
            while (next < wanted.Length && cumulative >= nextRank)
            {
                found[next++] = LatencyHistogram.MidpointOf(i);
                nextRank = next < wanted.Length ? RankOf(wanted[next], total) : long.MaxValue;
            }
        }

        return new LatencySummary(
            total,
            (long)Math.Round(sum / total),
            LatencyHistogram.MidpointOf(min),
            found[0],
            found[1],
            found[2],
            found[3],
            found[4],
            found[5],
            LatencyHistogram.MidpointOf(max));
    }

    internal static long ValueAtPercentile(ReadOnlySpan<long> counts, long total, double percentile)
    {
        if (percentile is < 0 or > 100 || double.IsNaN(percentile))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "Must be from 0 to 100.");
        }

        if (total == 0)
        {
            return 0;
        }

        long rank = RankOf(percentile, total);
        long cumulative = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            cumulative += counts[i];
            if (cumulative >= rank)
            {
                return LatencyHistogram.MidpointOf(i);
            }
        }

        return 0;
    }

    /// <summary>The 1-based rank of the percentile in a sorted sample: ceil(p/100 × n), at least 1.</summary>
    private static long RankOf(double percentile, long total) =>
        Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * total));
}
