using Probe.Engine.Results;

namespace Probe.Engine.Stats;

/// <summary>
/// Per-step counters striped by processor like <see cref="Histograms.LatencyHistogram"/>: ok, failed,
/// bytes, one per failure reason and one per status code 0–599 (others share a slot).
/// </summary>
internal sealed class StepCounters
{
    internal const int OkSlot = 0;
    internal const int FailSlot = 1;
    internal const int BytesSlot = 2;
    internal const int ReasonBase = 3;
    internal const int ReasonSlots = 16; // at least the number of FailureReason values (a test holds them to it)
    internal const int StatusBase = ReasonBase + ReasonSlots;
    internal const int StatusSlots = 600;
    internal const int OtherStatusSlot = StatusBase + StatusSlots;

    // Rounded up to a whole number of 128-byte lines so stripes never share one.
    internal const int BlockLength = (OtherStatusSlot + 1 + 15) & ~15;

    private readonly long[] _slots;
    private readonly int _stripeMask;

    public StepCounters(int stripes)
    {
        _stripeMask = stripes - 1;
        _slots = new long[stripes * BlockLength];
    }

    public void Record(in StepResult result)
    {
        int baseIndex = _stripeMask == 0 ? 0 : (Thread.GetCurrentProcessorId() & _stripeMask) * BlockLength;
        Interlocked.Increment(ref _slots[baseIndex + (result.IsOk ? OkSlot : FailSlot)]);
        if (result.SizeBytes != 0)
        {
            Interlocked.Add(ref _slots[baseIndex + BytesSlot], result.SizeBytes);
        }

        if (!result.IsOk)
        {
            Interlocked.Increment(ref _slots[baseIndex + ReasonBase + (int)result.Reason]);
        }

        int code = result.StatusCode;
        int slot = code is >= 0 and < StatusSlots ? StatusBase + code : OtherStatusSlot;
        Interlocked.Increment(ref _slots[baseIndex + slot]);
    }

    /// <summary>Sums the stripes into <paramref name="totals"/> (length <see cref="BlockLength"/>).</summary>
    public void CopyTotalsTo(Span<long> totals)
    {
        _slots.AsSpan(0, BlockLength).CopyTo(totals);
        for (int s = BlockLength; s < _slots.Length; s += BlockLength)
        {
            ReadOnlySpan<long> stripe = _slots.AsSpan(s, BlockLength);
            for (int i = 0; i < BlockLength; i++)
            {
                totals[i] += stripe[i];
            }
        }
    }
}
