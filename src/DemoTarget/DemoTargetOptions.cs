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

    /// <summary>Seed of the latency distribution's random numbers. The default is 1.</summary>
    public int Seed { get; init; } = 1;
}
