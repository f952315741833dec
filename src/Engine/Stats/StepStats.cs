using Probe.Engine.Histograms;
using Probe.Engine.Results;

namespace Probe.Engine.Stats;

/// <summary>
/// Live figures of one step (or of a scenario's whole iterations): recording is lock-free; the
/// per-second series is cut by <see cref="TakeSecond"/> from differences of the running totals, so
/// the hot path pays nothing for it.
/// </summary>
internal sealed class StepStats
{
    private const int MaxMessages = 8;

    private readonly StepCounters _counters;
    private readonly List<string> _messages = [];
    private readonly List<SecondSample> _seconds = [];
    private long[]? _lastLatency; // made by the first TakeSecond: runs without per-second samples never need it
    private readonly long[] _lastCounters = new long[StepCounters.BlockLength];
    private readonly Lock _sampling = new();
    private readonly LatencyHistogram?[] _phases = new LatencyHistogram?[5];
    private readonly int _stripes;
    private LlmStats? _llm; // made by the first LLM answer
    private int _messageCount;

    private readonly Func<string, string>? _messageFilter;

    public StepStats(string name, int stripes, Func<string, string>? messageFilter = null)
    {
        Name = name;
        _messageFilter = messageFilter;
        Latency = new LatencyHistogram(stripes);
        ServiceTime = new LatencyHistogram(stripes);
        _counters = new StepCounters(stripes);
        _stripes = stripes;
    }

    public string Name { get; }

    public LatencyHistogram Latency { get; }

    public LatencyHistogram ServiceTime { get; }

    public void Record(in StepResult result, long latencyNs, long serviceNs)
    {
        Latency.Record(latencyNs);
        ServiceTime.Record(serviceNs);
        _counters.Record(result);
        if (result.Phases != PhaseTimings.None)
        {
            RecordPhases(result.Phases);
        }

        if (result.Tokens is { } tokens)
        {
            Llm.Record(tokens);
        }

        if (!result.IsOk && result.Message is { } message)
        {
            KeepMessage(result.Reason, message);
        }
    }

    /// <summary>Cuts the figures since the previous call into the sample of second <paramref name="second"/>.</summary>
    public SecondSample TakeSecond(int second, TimeSpan duration)
    {
        lock (_sampling)
        {
            (long[] latency, long[] counters) = CutSinceLast();
            var sample = new SecondSample(
                second,
                duration,
                counters[StepCounters.OkSlot],
                counters[StepCounters.FailSlot],
                counters[StepCounters.BytesSlot],
                LatencySummary.FromCounts(latency),
                HistogramSerializer.Serialize(latency));
            _seconds.Add(sample);
            return sample;
        }
    }

    /// <summary>
    /// Adds the figures since the previous cut to the last sample, which becomes
    /// <paramref name="duration"/> longer: the end of a run a hair after a cut is not a second of its
    /// own (its rate would be absurd), but what happened in it is counted. Without an earlier sample
    /// it is cut as second 0.
    /// </summary>
    public SecondSample FoldIntoLastSecond(TimeSpan duration)
    {
        lock (_sampling)
        {
            if (_seconds.Count == 0)
            {
                return TakeSecond(0, duration);
            }

            (long[] latency, long[] counters) = CutSinceLast();
            SecondSample last = _seconds[^1];
            HistogramSerializer.ReadCounts(last.LatencyHistogram, latency);
            var folded = new SecondSample(
                last.Second,
                last.Duration + duration,
                last.Ok + counters[StepCounters.OkSlot],
                last.Fail + counters[StepCounters.FailSlot],
                last.Bytes + counters[StepCounters.BytesSlot],
                LatencySummary.FromCounts(latency),
                HistogramSerializer.Serialize(latency));
            _seconds[^1] = folded;
            return folded;
        }
    }

    /// <summary>The latency counts and counters recorded since the previous cut (call under the sampling lock).</summary>
    private (long[] Latency, long[] Counters) CutSinceLast()
    {
        long[] latency = new long[LatencyHistogram.BucketLength];
        Latency.CopyCountsTo(latency);
        long[] counters = new long[StepCounters.BlockLength];
        _counters.CopyTotalsTo(counters);
        long[] lastLatency = _lastLatency ??= new long[LatencyHistogram.BucketLength];
        for (int i = 0; i < latency.Length; i++)
        {
            (latency[i], lastLatency[i]) = (latency[i] - lastLatency[i], latency[i]);
        }

        for (int i = 0; i < counters.Length; i++)
        {
            (counters[i], _lastCounters[i]) = (counters[i] - _lastCounters[i], counters[i]);
        }

        return (latency, counters);
    }

    public StepSnapshot Snapshot(TimeSpan measured)
    {
        long[] counters = new long[StepCounters.BlockLength];
        _counters.CopyTotalsTo(counters);
        var latency = new LatencyHistogram(1);
        latency.Add(Latency);
        var service = new LatencyHistogram(1);
        service.Add(ServiceTime);

        var codes = new SortedDictionary<int, long>();
        for (int code = 0; code < StepCounters.StatusSlots; code++)
        {
            long n = counters[StepCounters.StatusBase + code];
            if (n != 0 && code != 0)
            {
                codes[code] = n;
            }
        }

        if (counters[StepCounters.OtherStatusSlot] != 0)
        {
            codes[-1] = counters[StepCounters.OtherStatusSlot];
        }

        var reasons = new SortedDictionary<FailureReason, long>();
        foreach (FailureReason reason in FailureReasons.All)
        {
            long n = counters[StepCounters.ReasonBase + (int)reason];
            if (n != 0)
            {
                reasons[reason] = n;
            }
        }

        long ok = counters[StepCounters.OkSlot];
        long fail = counters[StepCounters.FailSlot];
        Dictionary<string, LatencyHistogram> phases = PhaseHistograms();
        lock (_sampling)
        {
            return new StepSnapshot
            {
                Name = Name,
                Ok = ok,
                Fail = fail,
                Bytes = counters[StepCounters.BytesSlot],
                Rps = measured > TimeSpan.Zero ? (ok + fail) / measured.TotalSeconds : 0,
                Latency = latency.Summarize(),
                ServiceTime = service.Summarize(),
                StatusCodes = codes,
                FailureReasons = reasons,
                FailureMessages = _messages.ToArray(),
                Seconds = _seconds.ToArray(),
                LatencyHistogram = latency,
                ServiceTimeHistogram = service,
                Phases = phases.ToDictionary(p => p.Key, p => p.Value.Summarize(), StringComparer.Ordinal),
                PhaseHistograms = phases,
                Llm = Volatile.Read(ref _llm)?.Snapshot(),
            };
        }
    }

    private LlmStats Llm
    {
        get
        {
            LlmStats? llm = Volatile.Read(ref _llm);
            if (llm is null)
            {
                Interlocked.CompareExchange(ref _llm, new LlmStats(_stripes), null);
                llm = _llm!;
            }

            return llm;
        }
    }

    private void RecordPhases(PhaseTimings phases)
    {
        for (int i = 0; i < _phases.Length; i++)
        {
            long ns = phases[i];
            if (ns >= 0)
            {
                LatencyHistogram? h = Volatile.Read(ref _phases[i]);
                if (h is null)
                {
                    Interlocked.CompareExchange(ref _phases[i], new LatencyHistogram(_stripes), null);
                    h = _phases[i]!;
                }

                h.Record(ns);
            }
        }
    }

    private Dictionary<string, LatencyHistogram> PhaseHistograms()
    {
        var phases = new Dictionary<string, LatencyHistogram>(StringComparer.Ordinal);
        for (int i = 0; i < _phases.Length; i++)
        {
            if (Volatile.Read(ref _phases[i]) is { } h)
            {
                var copy = new LatencyHistogram(1);
                copy.Add(h);
                phases[PhaseTimings.Names[i]] = copy;
            }
        }

        return phases;
    }

    private void KeepMessage(FailureReason reason, string message)
    {
        // Once the list is full, failures cost no lock at all.
        if (Volatile.Read(ref _messageCount) >= MaxMessages)
        {
            return;
        }

        // What a target sent may hold control characters: kept printable for every report and the terminal.
        string line = $"{reason.Label()}: {Text.Printable.Of(_messageFilter is null ? message : _messageFilter(message))}";
        lock (_sampling)
        {
            if (_messages.Count < MaxMessages && !_messages.Contains(line))
            {
                _messages.Add(line);
                Volatile.Write(ref _messageCount, _messages.Count);
            }
        }
    }
}
