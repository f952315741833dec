namespace Probe.Engine.Verdicts;

/// <summary>The process exit codes of every Probe command: one documented set (see DESIGN.md).</summary>
public enum ExitCode
{
    /// <summary>Every threshold passed.</summary>
    Passed = 0,

    /// <summary>A threshold or baseline comparison failed: the gate says no.</summary>
    GateFailed = 1,

    /// <summary>Bad input: usage, suite file, secrets, an unreachable store at start.</summary>
    BadInput = 2,

    /// <summary>The run is invalid: the generator could not hold the schedule, or the run was aborted.</summary>
    Invalid = 3,
}
