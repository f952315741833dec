namespace Probe.Engine.Verdicts;

/// <summary>The outcome of a run.</summary>
public enum Verdict
{
    /// <summary>Valid, and every threshold held.</summary>
    Passed,

    /// <summary>Valid, and a threshold failed.</summary>
    Failed,

    /// <summary>The figures cannot be trusted (the generator fell behind or dropped iterations) or the run was aborted.</summary>
    Invalid,
}
