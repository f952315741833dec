using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Steps;

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

    /// <summary>The environment variables the suite references as secrets (<c>${env:NAME}</c>); their values are kept out of every output (<see cref="SecretRedactor"/>).</summary>
    public IReadOnlyList<string> SecretNames { get; init; } = [];

    /// <summary>A sharded run with at most this many shards missing still gets a verdict (0 to 1000; the default 0: any missing shard makes it invalid).</summary>
    public int AllowMissingShards { get; init; }

    /// <summary>The planned windows in which synthetics leave the checks they cover out of SLIs and alerts.</summary>
    public IReadOnlyList<MaintenanceWindow> Maintenance { get; init; } = [];

    /// <summary>The maintenance window that covers <paramref name="scenario"/> at <paramref name="at"/>, if one does (the first listed, when several).</summary>
    public MaintenanceWindow? MaintenanceAt(string scenario, DateTimeOffset at) =>
        Maintenance.FirstOrDefault(w => w.Covers(scenario) && w.ActiveAt(at) is not null);
}

/// <summary>
/// A named base URL. <see cref="Demo"/>: the built-in demo target, started in-process when nothing
/// listens there. <see cref="InsecureTls"/>: accept any server certificate (staging with a
/// self-signed one); tls steps still report whether it is trusted.
/// </summary>
public sealed record TargetSpec(string Name, Uri Url, bool Demo, bool InsecureTls = false)
{
    /// <summary>
    /// The user information of the target's URL (<c>https://user:${env:PASSWORD}@host</c>), secrets
    /// unresolved: sent as HTTP Basic credentials on every request to the target. Null for none.
    /// </summary>
    public string? Credentials { get; init; }

    /// <summary>
    /// With <see cref="Demo"/>: the faults the built-in demo target starts with, as the suite wrote
    /// them (<c>{"ttft": "200ms", "token_gap": "20ms"}</c>, the words of <c>probe demo-target</c>); null
    /// for its defaults.
    /// </summary>
    public System.Text.Json.JsonElement? DemoFaults { get; init; }

    /// <summary>How requests reach the target: HTTP version, connection reuse and caps, client certificate.</summary>
    public ConnectionPolicy Connections { get; init; } = ConnectionPolicy.Default;
}

/// <summary>Which HTTP version a target's requests use.</summary>
public enum HttpVersionChoice
{
    /// <summary>HTTP/1.1 for http://; for https:// what ALPN gives (HTTP/2 when the server prefers it).</summary>
    Auto,

    /// <summary>HTTP/1.1 only (ALPN offers only http/1.1).</summary>
    Http11,

    /// <summary>HTTP/2 only: ALPN h2 over TLS, prior knowledge (h2c) for http://.</summary>
    Http2,
}

/// <summary>
/// A target's connection policy. <see cref="NewConnectionPerIteration"/>: each iteration of a virtual
/// user opens its own connections (reused by that iteration's later requests, closed when the next
/// begins), so every iteration pays the handshakes a fresh browser pays. <see cref="MaxConnections"/>:
/// at most this many open connections to the target; requests beyond wait for one (the wait is part
/// of their latency). <see cref="StreamsPerConnection"/>: with HTTP/2, at most this many concurrent
/// streams on one connection (more connections are opened for more users).
/// </summary>
public sealed record ConnectionPolicy(
    HttpVersionChoice Http = HttpVersionChoice.Auto,
    bool NewConnectionPerIteration = false,
    int? MaxConnections = null,
    int? StreamsPerConnection = null,
    ClientCertificateSpec? ClientCertificate = null)
{
    public static readonly ConnectionPolicy Default = new();
}

/// <summary>A client certificate for mutual TLS: a PEM certificate with its PEM key (or a PKCS#12 file with <see cref="Password"/>), paths as written; the password only by secret reference.</summary>
public sealed record ClientCertificateSpec(string Certificate, string? Key, string? Password)
{
    /// <summary>Loads the certificate with its private key (PEM certificate and key, PKCS#12 with the password, or one PEM holding both); the password's secret is resolved here.</summary>
    internal X509Certificate2 Load()
    {
        string? password = Password is null ? null : Secrets.Resolve(Password);
        if (Key is not null)
        {
            return password is null
                ? X509Certificate2.CreateFromPemFile(Certificate, Key)
                : X509Certificate2.CreateFromEncryptedPemFile(Certificate, password, Key);
        }

        return Path.GetExtension(Certificate).ToLowerInvariant() is ".p12" or ".pfx"
            ? X509CertificateLoader.LoadPkcs12FromFile(Certificate, password)
            : X509Certificate2.CreateFromPemFile(Certificate);
    }
}

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

/// <summary>A question with the facts its answer must contain and the sources it must cite.</summary>
public sealed record GoldenQuestion(string Question, IReadOnlyList<string> Facts, IReadOnlyList<string> Sources);

/// <summary>
/// A service-level objective over some scenarios' results. Kinds: <c>availability</c> (good = the
/// run succeeded), <c>latency</c> (good = it succeeded faster than <see cref="LatencyThreshold"/>),
/// <c>ttft</c> (good = its LLM answer's first token came sooner than the threshold) and <c>goodput</c>
/// (good = its LLM answer met every one of <see cref="Objectives"/>).
/// </summary>
public sealed record SloSpec(string Name, string Kind, double Objective, TimeSpan Window, IReadOnlyList<string> Scenarios, TimeSpan? LatencyThreshold)
{
    /// <summary>For <c>goodput</c>: the per-request objectives a good answer meets, such as ttft &lt; 1s, tpot &lt; 50ms.</summary>
    public IReadOnlyList<Probe.Engine.Stats.LlmObjective> Objectives { get; init; } = [];

    /// <summary>Whether good means a quick enough answer (counted per result) rather than a successful run.</summary>
    public bool CountsOccurrences => Kind is "latency" or "ttft" or "goodput";

    /// <summary>Whether the SLO reads LLM answers (ttft, goodput).</summary>
    public bool OnLlm => Kind is "ttft" or "goodput";

    /// <summary>What a good LLM answer meets: a ttft SLO's threshold as one objective, a goodput SLO's objectives; none for other kinds.</summary>
    public IReadOnlyList<Probe.Engine.Stats.LlmObjective> AnswerObjectives => Kind switch
    {
        "ttft" => [new(Probe.Engine.Stats.LlmMeasure.TimeToFirstToken, Probe.Engine.Thresholds.Comparison.Less, (LatencyThreshold ?? TimeSpan.Zero).Ticks * 100.0)],
        "goodput" => Objectives,
        _ => [],
    };
}

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
