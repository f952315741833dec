using Probe.DemoTarget.Faults;

namespace Probe.DemoTarget;

/// <summary>How to start the demo target.</summary>
public sealed record DemoTargetOptions
{
    /// <summary>Address and port to listen on; port 0 picks a free one. Loopback only. The default is 127.0.0.1:0.</summary>
    public string Listen { get; init; } = "127.0.0.1:0";

    /// <summary>The faults in force at start.</summary>
    public FaultSettings Faults { get; init; } = new();

    /// <summary>The clock for delays, stalls and rate-limit windows. The default is the system clock.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Whether the target sends its own endpoints a few requests right after it starts, before its
    /// faults are in force, so the first requests of a run do not pay for compiling them. They
    /// change no state and count against no fault share or rate limit. The default is true.
    /// </summary>
    public bool WarmUp { get; init; } = true;

    /// <summary>Seed of the latency distribution's random numbers. The default is 1.</summary>
    public int Seed { get; init; } = 1;
}
