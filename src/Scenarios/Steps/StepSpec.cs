using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps;

/// <summary>
/// Common to every step: a name, checks on its result, a timeout and retries. Each kind of step
/// (http, rag, tls, tcp, dns, grpc, postgres, browser, sequence) is a record of its own in its folder under Steps/, with the
/// <see cref="StepKind"/> that reads, binds and describes it.
/// </summary>
public abstract record StepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry)
{
    /// <summary>
    /// Think time: how long the iteration waits after this step before its next one, as a user reading
    /// the page would (k6's <c>sleep</c>). Counted in the iteration's time, not in the step's.
    /// </summary>
    public TimeSpan Think { get; init; }

    /// <summary>
    /// With a think range (<c>"1s..3s"</c>): its upper end, the wait drawn anew each time, uniformly between
    /// <see cref="Think"/> and this (k6's <c>sleep(1 + Math.random() * 2)</c>); zero for a fixed think time.
    /// </summary>
    public TimeSpan ThinkUpTo { get; init; }

    /// <summary>The kind this step is.</summary>
    internal abstract StepKind Kind { get; }

    /// <summary>The targets this step sends to: its own, or the scenario's (<paramref name="scenarioTarget"/>); none for steps that reach no target.</summary>
    public virtual IEnumerable<string> TargetsUsed(string scenarioTarget) => [];

    /// <summary>Whether the step passes values between inner steps (<c>${vars.NAME}</c>): its iterations then carry a table of them.</summary>
    internal virtual bool PassesVariables => false;

    /// <summary>Whether the step asks a model, so LLM thresholds (ttft, tpot, goodput…) can read it.</summary>
    internal virtual bool AsksModel => false;

    /// <summary>
    /// This step as the start-up warm-up runs it against a canned loopback HTTP server (no retries,
    /// no long repeats), or null when the canned server cannot answer its kind (see <c>CodePathWarmUp</c>).
    /// </summary>
    internal virtual StepSpec? ForWarmUp() => null;
}

/// <summary>Retries for synthetic and smoke steps: every attempt is recorded; load steps do not retry unless told.</summary>
public sealed record RetrySpec(int Attempts, TimeSpan Backoff);
