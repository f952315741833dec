using Probe.Engine.Timing;
using Probe.Scenarios.Binding;

namespace Probe.Scenarios.Http;

/// <summary>
/// Imposes a region's simulated network conditions on its requests: waits the added latency, and
/// fails exactly the loss share of requests (spread evenly: request n is lost when ⌊(n+1)·loss⌋
/// passes ⌊n·loss⌋) as connection errors, so alert logic can be tested against a degraded region.
/// </summary>
internal sealed class ConditionedHandler : DelegatingHandler
{
    private readonly NetworkConditions _conditions;
    private readonly TimeProvider _time;
    private long _requests;

    public ConditionedHandler(HttpMessageHandler inner, NetworkConditions conditions, TimeProvider time)
        : base(inner)
    {
        _conditions = conditions;
        _time = time;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (_conditions.AddedLatency > TimeSpan.Zero)
        {
            await _time.DelayAtLeastAsync(_conditions.AddedLatency, cancellationToken).ConfigureAwait(false);
        }

        long n = Interlocked.Increment(ref _requests) - 1;
        if (Math.Floor((n + 1) * _conditions.Loss) > Math.Floor(n * _conditions.Loss))
        {
            throw new HttpRequestException(HttpRequestError.ConnectionError, "simulated packet loss (the region's network conditions)");
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
