using Probe.Engine.Histograms;
using Probe.Engine.Results;

namespace Probe.Engine.Stats;

/// <summary>
/// The live token figures of one step. Histograms record lock-free; the per-request records (for
/// goodput) and the token counts take a short lock once per answer — LLM answers come at most a few
/// thousand a second, each after many milliseconds of streaming.
/// </summary>
internal sealed class LlmStats(int stripes)
{
    private readonly LatencyHistogram _ttft = new(stripes);
    private readonly LatencyHistogram _itl = new(stripes);
    private readonly LatencyHistogram _tpot = new(stripes);
    private readonly LatencyHistogram _e2e = new(stripes);
    private readonly Lock _lock = new();
    private readonly List<LlmRecord> _records = [];
    private long _streamed;
    private long _outputTokens;
    private long _inputTokens;
    private long _fromUsage;
    private long _fromChunks;

    public void Record(TokenTimings t)
    {
        long tpot = t.TimePerOutputTokenNs;
        if (t.Ok)
        {
            Record(_ttft, t.TimeToFirstTokenNs);
            Record(_tpot, tpot);
            _e2e.Record(t.EndToEndNs);
            foreach (long gap in t.GapsNs)
            {
                _itl.Record(gap);
            }
        }

        lock (_lock)
        {
            _records.Add(new LlmRecord(t.Ok, t.Ok ? t.TimeToFirstTokenNs : -1, t.Ok ? tpot : -1, t.EndToEndNs, t.Ok ? t.OutputTokensPerSecond : -1));
            if (!t.Ok)
            {
                return;
            }

            _streamed += t.Streamed ? 1 : 0;
            _inputTokens += Math.Max(0, t.InputTokens);
            if (t.OutputTokens >= 0)
            {
                _outputTokens += t.OutputTokens;
                _ = t.CountedFromUsage ? _fromUsage++ : _fromChunks++;
            }
        }
    }

    public LlmSnapshot Snapshot()
    {
        lock (_lock)
        {
            return new LlmSnapshot
            {
                Streamed = _streamed,
                TimeToFirstToken = Copy(_ttft),
                InterTokenLatency = Copy(_itl),
                TimePerOutputToken = Copy(_tpot),
                EndToEnd = Copy(_e2e),
                OutputTokens = _outputTokens,
                InputTokens = _inputTokens,
                CountedFromUsage = _fromUsage,
                CountedFromChunks = _fromChunks,
                Records = _records.ToArray(),
            };
        }
    }

    private static void Record(LatencyHistogram h, long ns)
    {
        if (ns >= 0)
        {
            h.Record(ns);
        }
    }

    private static LatencyHistogram Copy(LatencyHistogram h)
    {
        var copy = new LatencyHistogram(1);
        copy.Add(h);
        return copy;
    }
}
