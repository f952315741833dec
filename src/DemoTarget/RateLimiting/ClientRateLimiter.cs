using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Probe.DemoTarget.RateLimiting;

/// <summary>
/// A fixed-window limit per client, as the seeds' services do per API key. Clients name themselves
/// with the <c>X-Client-Id</c> header; requests without it are not limited, so load tests from one
/// address are not throttled unless they ask to be. Every limited answer carries <c>X-RateLimit-Limit</c>, <c>X-RateLimit-Remaining</c>
/// and <c>X-RateLimit-Reset</c> (seconds); past the limit the answer is 429 with <c>Retry-After</c>.
/// </summary>
public sealed class ClientRateLimiter(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    /// <summary>Counts the request; false (and a 429 written) when the client is over its limit.</summary>
    public async Task<bool> AdmitAsync(HttpContext context, int limit, TimeSpan window)
    {
        if (limit <= 0)
        {
            return true;
        }

        string? client = context.Request.Headers["X-Client-Id"].FirstOrDefault();
        if (client is null)
        {
            return true;
        }

        long now = time.GetTimestamp();
        Window w = _windows.GetOrAdd(client, _ => new Window(now));
        long used;
        long resetTicks;
        lock (w)
        {
            TimeSpan age = time.GetElapsedTime(w.Start, now);
            if (age >= window)
            {
                w.Start = now;
                w.Count = 0;
                age = TimeSpan.Zero;
            }

            used = ++w.Count;
            resetTicks = (window - age).Ticks;
        }

        int resetSeconds = (int)Math.Ceiling(resetTicks / (double)TimeSpan.TicksPerSecond);
        IHeaderDictionary headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = Math.Max(0, limit - used).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = resetSeconds.ToString(CultureInfo.InvariantCulture);
        if (used <= limit)
        {
            return true;
        }

        headers.RetryAfter = resetSeconds.ToString(CultureInfo.InvariantCulture);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        await context.Response.WriteAsJsonAsync(new { error = "rate limit exceeded", retry_after_seconds = resetSeconds });
        return false;
    }

    private sealed class Window(long start)
    {
        public long Start { get; set; } = start;

        public long Count { get; set; }
    }
}
