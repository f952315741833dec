using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Faults;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// <c>GET /_demo/faults</c> shows the faults in force; <c>PUT /_demo/faults</c> changes them at run time
/// with the same words as the command line: <c>{"latency":"uniform:10ms..50ms","error_rate":0.2,
/// "drop_rate":0,"stall_every":"5s","stall_for":"1s","rate_limit":100,"rate_limit_window":"60s",
/// "ttft":"50ms","token_gap":"5ms","slow_share":0.2,"slow_ttft":"1s","slow_token_gap":"40ms"}</c>;
/// fields left out keep their values.
/// </summary>
internal static class FaultEndpoints
{
    public static void Map(IEndpointRouteBuilder app, FaultInjector faults)
    {
        app.MapGet("/_demo/faults", () => Results.Json(Describe(faults.Settings)));
        app.MapPut("/_demo/faults", (FaultChange change) =>
        {
            try
            {
                faults.Settings = change.ApplyTo(faults.Settings);
                return Results.Json(Describe(faults.Settings));
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                return Results.Json(new { error = e.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
        });
    }

    private static object Describe(FaultSettings s) => new
    {
        latency = s.Latency.ToString(),
        error_rate = s.ErrorRate,
        drop_rate = s.DropRate,
        stall_every = s.StallEvery is { } e ? DurationText.Format(e) : null,
        stall_for = DurationText.Format(s.StallFor),
        rate_limit = s.RateLimit,
        rate_limit_window = DurationText.Format(s.RateLimitWindow),
        ttft = DurationText.Format(s.TimeToFirstToken),
        token_gap = DurationText.Format(s.InterTokenGap),
        slow_share = s.SlowShare,
        slow_ttft = s.SlowTimeToFirstToken is { } t ? DurationText.Format(t) : null,
        slow_token_gap = s.SlowInterTokenGap is { } g ? DurationText.Format(g) : null,
    };
}
