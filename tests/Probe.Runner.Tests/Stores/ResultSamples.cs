using Probe.Runner.Synthetics;
using Probe.Runner.Results;

namespace Probe.Runner.Tests.Stores;

/// <summary>Check results for store and spool tests.</summary>
internal static class ResultSamples
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    public static SyntheticResult Make(int i, string scenario = "smoke", string region = "eu-west", bool ok = true, double ms = 120, bool recheck = false)
    {
        DateTimeOffset at = Start.AddSeconds(i);
        return new SyntheticResult(
            Guid.CreateVersion7(at),
            "demo",
            scenario,
            region,
            "demo",
            at,
            TimeSpan.FromMilliseconds(ms),
            ok,
            ok ? null : "status",
            ok ? null : "HTTP 503 from \"/health\"\nretry later",
            ok ? 200 : 503,
            [new StepRecord("api-health", ok, ok ? null : "status", TimeSpan.FromMilliseconds(ms), ok ? 200 : 503, ok ? null : "HTTP 503")],
            recheck);
    }

    public static SyntheticResult[] Range(int count, int from = 0) => Enumerable.Range(from, count).Select(i => Make(i, ok: i % 10 != 0)).ToArray();
}
