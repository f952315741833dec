namespace Probe.Runner.Results;

/// <summary>
/// One synthetic check: a scenario run once from one region. <see cref="Id"/> is made when the result
/// is, before it is spooled, so every store write of it is idempotent.
/// </summary>
/// <param name="Id">Time-ordered (UUID v7) and unique.</param>
/// <param name="Suite">The suite's name.</param>
/// <param name="Scenario">The scenario run.</param>
/// <param name="Region">The runner identity it ran as.</param>
/// <param name="Target">The scenario's target name.</param>
/// <param name="StartedAt">When it started (UTC).</param>
/// <param name="Duration">How long the whole scenario took.</param>
/// <param name="Ok">Every step succeeded.</param>
/// <param name="Reason">The failure reason (one of the fixed set, see <c>FailureReason</c>); null when ok.</param>
/// <param name="Message">What went wrong, for people; null when ok.</param>
/// <param name="Status">The last protocol status seen (an HTTP status), 0 when none.</param>
/// <param name="Steps">Each step's outcome, in order.</param>
/// <param name="Recheck">True for the quick re-run after a failure.</param>
internal sealed record SyntheticResult(
    Guid Id,
    string Suite,
    string Scenario,
    string Region,
    string Target,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    bool Ok,
    string? Reason,
    string? Message,
    int Status,
    IReadOnlyList<StepRecord> Steps,
    bool Recheck = false)
{
    /// <summary>The first LLM answer of the run (a rag step's), for ttft and goodput SLOs; null when the run asked no model.</summary>
    public LlmOutcome? Llm { get; init; }

    /// <summary>The maintenance window the run started in (its name); null when none. Such a run is stored but left out of SLIs.</summary>
    public string? Maintenance { get; init; }

    /// <summary>This result with every text a store keeps made storable (<see cref="Stores.StoredText"/>).</summary>
    public SyntheticResult Sanitized() => this with
    {
        Suite = Stores.StoredText.Clean(Suite)!,
        Scenario = Stores.StoredText.Clean(Scenario)!,
        Region = Stores.StoredText.Clean(Region)!,
        Target = Stores.StoredText.Clean(Target)!,
        Reason = Stores.StoredText.Clean(Reason),
        Message = Stores.StoredText.Clean(Message),
        Maintenance = Stores.StoredText.Clean(Maintenance),
        Steps = Steps.Select(s => s with { Name = Stores.StoredText.Clean(s.Name)!, Reason = Stores.StoredText.Clean(s.Reason), Message = Stores.StoredText.Clean(s.Message) }).ToArray(),
    };
}

/// <summary>One step of a check.</summary>
internal sealed record StepRecord(string Name, bool Ok, string? Reason, TimeSpan Duration, int Status, string? Message);

/// <summary>One LLM answer's figures as a stored result keeps them; times in milliseconds, null where a figure does not apply.</summary>
internal sealed record LlmOutcome(bool Ok, double? TtftMs, double? TpotMs, double E2eMs, double? OutputTps)
{
    /// <summary>The outcome of <paramref name="tokens"/>.</summary>
    public static LlmOutcome Of(Probe.Engine.Results.TokenTimings tokens) => new(
        tokens.Ok,
        tokens.TimeToFirstTokenNs >= 0 ? tokens.TimeToFirstTokenNs / 1e6 : null,
        tokens.TimePerOutputTokenNs >= 0 ? tokens.TimePerOutputTokenNs / 1e6 : null,
        tokens.EndToEndNs / 1e6,
        tokens.OutputTokensPerSecond >= 0 ? Math.Round(tokens.OutputTokensPerSecond, 3) : null);
}
