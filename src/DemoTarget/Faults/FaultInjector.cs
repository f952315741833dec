using Microsoft.AspNetCore.Http;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Faults;

/// <summary>
/// Applies <see cref="FaultSettings"/> to each request, in this order: drop the connection, wait out
/// a stall, add latency, answer 500. Error and drop shares are exact (a running count, not dice), so a
/// test can compare what Probe measured with what the target was told to do.
/// </summary>
public sealed class FaultInjector
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private long _start;
    private FaultSettings _settings;
    private long _dropCount;
    private long _errorCount;
    private long _answerCount;

    public FaultInjector(FaultSettings settings, TimeProvider time, int seed = 1)
    {
        _settings = settings;
        _time = time;
        _random = new Random(seed);
        _start = time.GetTimestamp();
    }

    /// <summary>The faults in force. Setting them restarts the exact error and drop counts.</summary>
    public FaultSettings Settings
    {
        get => Volatile.Read(ref _settings);
        set
        {
            string? problem = value.Problems().FirstOrDefault();
            if (problem is not null)
            {
                throw new ArgumentException(problem, nameof(value));
            }

            Volatile.Write(ref _settings, value);
            Interlocked.Exchange(ref _dropCount, 0);
            Interlocked.Exchange(ref _errorCount, 0);
            Interlocked.Exchange(ref _answerCount, 0);
        }
    }

    /// <summary>Stalls are timed from now on (the host calls this once it has warmed up).</summary>
    internal void RestartClock() => Volatile.Write(ref _start, _time.GetTimestamp());

    /// <summary>Applies the faults; false when the request has been answered or dropped here.</summary>
    public async Task<bool> ApplyAsync(HttpContext context)
    {
        FaultSettings s = Settings;
        if (s.DropRate > 0 && Hits(Interlocked.Increment(ref _dropCount) - 1, s.DropRate))
        {
            context.Abort();
            return false;
        }

        TimeSpan wait = StallRemaining(s) + SampleLatency(s);
        if (wait > TimeSpan.Zero)
        {
            await _time.DelayAtLeastAsync(wait, context.RequestAborted);
        }

        if (s.ErrorRate > 0 && Hits(Interlocked.Increment(ref _errorCount) - 1, s.ErrorRate))
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new { error = "injected fault" }, context.RequestAborted);
            return false;
        }

        return true;
    }

    /// <summary>How the next LLM or RAG answer is paced: slowly for exactly <see cref="FaultSettings.SlowShare"/> of answers, spread evenly.</summary>
    public TokenPace NextPace()
    {
        FaultSettings s = Settings;
        bool slow = s.SlowShare > 0 && Hits(Interlocked.Increment(ref _answerCount) - 1, s.SlowShare);
        return slow
            ? new TokenPace(s.SlowTimeToFirstToken ?? s.TimeToFirstToken, s.SlowInterTokenGap ?? s.InterTokenGap)
            : new TokenPace(s.TimeToFirstToken, s.InterTokenGap);
    }

    /// <summary>Request n (from 0) is hit when ⌊(n+1)·rate⌋ passes ⌊n·rate⌋: exactly rate·N hits in any N requests, ±1.</summary>
    internal static bool Hits(long n, double rate) => Math.Floor((n + 1) * rate) > Math.Floor(n * rate);

    private TimeSpan StallRemaining(FaultSettings s)
    {
        if (s.StallEvery is not { } every || s.StallFor <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        long into = _time.GetElapsedTime(Volatile.Read(ref _start)).Ticks % every.Ticks;
        return into < s.StallFor.Ticks ? TimeSpan.FromTicks(s.StallFor.Ticks - into) : TimeSpan.Zero;
    }

    private TimeSpan SampleLatency(FaultSettings s)
    {
        if (s.Latency.Kind == "none")
        {
            return TimeSpan.Zero;
        }

        lock (_lock)
        {
            return s.Latency.Sample(_random);
        }
    }
}

/// <summary>When an answer's tokens go out: the first after <paramref name="TimeToFirstToken"/>, then one every <paramref name="InterTokenGap"/>.</summary>
public readonly record struct TokenPace(TimeSpan TimeToFirstToken, TimeSpan InterTokenGap)
{
    /// <summary>When token <paramref name="index"/> (from 0) is due, from the start of the answer.</summary>
    public TimeSpan DueAt(int index) => TimeToFirstToken + (InterTokenGap * index);
}
