using System.Text.Json;
using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Suite;

/// <summary>A validated suite file: what to probe, how hard, and what counts as good.</summary>
public sealed record SuiteDefinition(
    string Name,
    string File,
    IReadOnlyDictionary<string, TargetSpec> Targets,
    IReadOnlyList<ScenarioSpec> Scenarios,
    IReadOnlyDictionary<string, IReadOnlyList<GoldenQuestion>> Golden,
    IReadOnlyList<SloSpec> Slos,
    IReadOnlyList<string> Regions)
{
    public ScenarioSpec? Scenario(string name) => Scenarios.FirstOrDefault(s => s.Name == name);

    /// <summary>A sharded run with at most this many shards missing still gets a verdict (0 to 1000; the default 0: any missing shard makes it invalid).</summary>
    public int AllowMissingShards { get; init; }
}

/// <summary>
/// A named base URL. <see cref="Demo"/>: the built-in demo target, started in-process when nothing
/// listens there. <see cref="InsecureTls"/>: accept any server certificate (staging with a
/// self-signed one); tls steps still report whether it is trusted.
/// </summary>
public sealed record TargetSpec(string Name, Uri Url, bool Demo, bool InsecureTls = false);

/// <summary>One scenario of the suite.</summary>
public sealed record ScenarioSpec(
    string Name,
    string Target,
    IReadOnlyList<string> Tags,
    IReadOnlyList<StepSpec> Steps,
    IReadOnlyList<LoadSimulation> Load,
    IReadOnlyList<ThresholdSpec> Thresholds,
    TimeSpan WarmUp,
    int? MaxInFlight,
    int MaxQueued,
    ScheduleSpec? Schedule,
    IReadOnlyList<string> Regions)
{
    /// <summary>How this scenario compares with a baseline run (<c>--baseline</c>); empty means <see cref="BaselineRule.Default"/>.</summary>
    public IReadOnlyList<BaselineRule> Baseline { get; init; } = [];
}

/// <summary>Common to every step: a name, checks on its result, a timeout and retries.</summary>
public abstract record StepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry);

/// <summary>
/// An HTTP request. The body is <see cref="Json"/> (sent as application/json) or <see cref="Text"/>.
/// <see cref="Repeat"/> sends it that many times in a row (to exceed a rate limit, say); the checks
/// apply to the last answer.
/// </summary>
public sealed record HttpStepSpec(
    string Name,
    IReadOnlyList<CheckExpression> Checks,
    TimeSpan Timeout,
    RetrySpec? Retry,
    string? Target,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    JsonElement? Json,
    string? Text,
    bool FollowRedirects,
    long MaxBodyBytes,
    int Repeat,
    IReadOnlyDictionary<string, CheckSubject> Extract)
    : StepSpec(Name, Checks, Timeout, Retry);

/// <summary>
/// A user flow: steps run in order, each recorded as <c>sequence/step</c>, stopping at the first
/// failure; values extracted by one step (<c>"extract": {"id": "body.transfer_id"}</c>) are used by
/// later ones as <c>${vars.id}</c>. The sequence's own success rate is the flow's.
/// </summary>
public sealed record SequenceStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, IReadOnlyList<HttpStepSpec> Steps)
    : StepSpec(Name, Checks, Timeout, Retry);

/// <summary>Replays a golden-question set against a RAG endpoint.</summary>
public sealed record RagStepSpec(
    string Name,
    IReadOnlyList<CheckExpression> Checks,
    TimeSpan Timeout,
    RetrySpec? Retry,
    string? Target,
    string Path,
    string Golden,
    string QuestionField,
    string AnswerPath,
    string SourcesPath,
    bool Stream)
    : StepSpec(Name, Checks, Timeout, Retry);

/// <summary>
/// A TLS handshake with the target (or another host and port): certificate expiry, issuer, subject,
/// host-name match and trust, for checks such as <c>tls.expires_in &gt; 14d</c>. Without checks the
/// step fails (reason tls) on an untrusted, mismatched or expired certificate.
/// </summary>
public sealed record TlsStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string? Target, string? Host, int? Port)
    : StepSpec(Name, Checks, Timeout, Retry);

/// <summary>
/// A PostgreSQL check: connect (pooled), run <see cref="Query"/> (default <c>SELECT 1</c>), read every
/// row; fails when the row count differs from <see cref="Rows"/>. The connection string may hold
/// secrets by reference. Checks see <c>size</c> as the number of rows and <c>latency</c> as the
/// whole step.
/// </summary>
public sealed record PostgresStepSpec(string Name, IReadOnlyList<CheckExpression> Checks, TimeSpan Timeout, RetrySpec? Retry, string Connection, string Query, long? Rows)
    : StepSpec(Name, Checks, Timeout, Retry);

/// <summary>Retries for synthetic and smoke steps: every attempt is recorded; load steps do not retry unless told.</summary>
public sealed record RetrySpec(int Attempts, TimeSpan Backoff);

/// <summary>A question with the facts its answer must contain and the sources it must cite.</summary>
public sealed record GoldenQuestion(string Question, IReadOnlyList<string> Facts, IReadOnlyList<string> Sources);

/// <summary>A service-level objective over some scenarios' results.</summary>
public sealed record SloSpec(string Name, string Kind, double Objective, TimeSpan Window, IReadOnlyList<string> Scenarios, TimeSpan? LatencyThreshold);

/// <summary>
/// When synthetics run a scenario: <c>every 30s</c> or a cron expression (UTC), each start delayed by
/// a random share of <see cref="Jitter"/> to spread load.
/// </summary>
public sealed record ScheduleSpec(TimeSpan? Every, string? Cron, TimeSpan Jitter)
{
    /// <summary>A run due while the previous one is still going waits for it (true) or is skipped and counted (false, the default).</summary>
    public bool QueueOverlaps { get; init; }

    /// <summary>After a failed run, run once more this long later (a quick confirmation); null for none.</summary>
    public TimeSpan? Recheck { get; init; }
}
