using CsCheck;
using Probe.Engine.Histograms;
using Probe.Engine.Timing;

namespace Probe.Engine.Tests.Histograms;

/// <summary>
/// Round trips over generated inputs: a histogram survives its compact form (what shards and
/// run.json carry) and merging two equals recording both sets in one; a duration written by
/// <see cref="DurationText.Format"/> reads back as itself.
/// </summary>
public class HistogramPropertyTests
{
    private static readonly Gen<long[]> Samples = Gen.Long[0, LatencyHistogram.MaxTrackableNanoseconds].Array[0, 200];

    [Fact]
    public void SerializeThenDeserialize_KeepsEveryBucket()
    {
        Samples.Sample(values =>
        {
            LatencyHistogram h = Record(values);
            LatencyHistogram back = HistogramSerializer.Deserialize(HistogramSerializer.Serialize(h));
            return back.TotalCount == h.TotalCount && back.Buckets().SequenceEqual(h.Buckets()) && back.Summarize() == h.Summarize();
        }, iter: 500);
    }

    [Fact]
    public void Merge_EqualsRecordingBothInOne()
    {
        Gen.Select(Samples, Samples).Sample((a, b) =>
        {
            LatencyHistogram merged = Record(a);
            merged.Add(HistogramSerializer.Deserialize(HistogramSerializer.Serialize(Record(b))));
            LatencyHistogram together = Record([.. a, .. b]);
            return merged.Buckets().SequenceEqual(together.Buckets()) && merged.Summarize() == together.Summarize();
        }, iter: 500);
    }

    [Fact]
    public void DurationText_FormatThenParse_IsTheSameDuration()
    {
        Gen.Long[0, TimeSpan.FromDays(400).Ticks].Select(t => TimeSpan.FromTicks(t)).Sample(d =>
            DurationText.TryParse(DurationText.Format(d), out TimeSpan back, out _) && back == d, iter: 5000);
    }

    private static LatencyHistogram Record(long[] values)
    {
        var h = new LatencyHistogram(stripes: 1);
        foreach (long v in values)
        {
            h.Record(v);
        }

        return h;
    }
}
