using System.Net;
using Probe.TestUtils;

namespace Probe.DemoTarget.Tests.Faults;

public class RateLimitTests
{
    [Fact]
    public async Task Api_OverTheLimit_Answers429WithRetryAfterUntilTheWindowTurns()
    {
        var time = new FakeTimeProvider();
        await using DemoTargetHost target = await DemoTargetHost.StartAsync(new DemoTargetOptions
        {
            Time = time,
            Faults = new() { RateLimit = 3, RateLimitWindow = TimeSpan.FromSeconds(60) },
        });
        using var http = new HttpClient { BaseAddress = target.Address };
        http.DefaultRequestHeaders.Add("X-Client-Id", "tester");

        var remaining = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage ok = await http.GetAsync("/api/accounts/chk-001/balance");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            remaining.Add(ok.Headers.GetValues("X-RateLimit-Remaining").Single());
        }

        using HttpResponseMessage limited = await http.GetAsync("/api/accounts/chk-001/balance");
        Assert.Equal(["2", "1", "0"], remaining);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("60", limited.Headers.GetValues("Retry-After").Single());

        time.Advance(TimeSpan.FromSeconds(45));
        using HttpResponseMessage still = await http.GetAsync("/api/accounts/chk-001/balance");
        Assert.Equal("15", still.Headers.GetValues("Retry-After").Single());

        time.Advance(TimeSpan.FromSeconds(15));
        using HttpResponseMessage again = await http.GetAsync("/api/accounts/chk-001/balance");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);

        using HttpResponseMessage health = await http.GetAsync("/health");
        Assert.False(health.Headers.Contains("X-RateLimit-Limit"));
    }
}
