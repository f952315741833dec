using Probe.Scenarios.Checks;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>Replays a golden-question set against a RAG or LLM endpoint.</summary>
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
    : StepSpec(Name, Checks, Timeout, Retry)
{
    /// <summary>The API spoken and its request options; the plain question API by default.</summary>
    public LlmOptions Llm { get; init; } = LlmOptions.Question;

    /// <summary>Headers sent with every question (secrets by reference); they win over the API's own.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Past this many bytes of an answer, whole or streamed, the question fails with reason body.</summary>
    public long MaxBodyBytes { get; init; } = 16L << 20;

    internal override StepKind Kind => RagStepKind.Instance;

    internal override bool AsksModel => true;

    public override IEnumerable<string> TargetsUsed(string scenarioTarget) => [Target ?? scenarioTarget];

    internal override StepSpec ForWarmUp() => this with { Retry = null };
}

/// <summary>
/// The API a <c>rag</c> step speaks and its options: <c>question</c> (a plain RAG endpoint),
/// <c>openai-chat</c>, <c>openai-completions</c>, <c>anthropic-messages</c> or <c>template</c>.
/// </summary>
/// <param name="Api">The API's name.</param>
/// <param name="Model">Sent as <c>model</c> when set.</param>
/// <param name="MaxTokens">Sent as <c>max_tokens</c> when set (Anthropic: 1024 unless set).</param>
/// <param name="Temperature">Sent as <c>temperature</c> when set.</param>
/// <param name="System">A system prompt before the question.</param>
/// <param name="BodyTemplate">For <c>template</c>: the request body as JSON text, <c>${question}</c> inside its strings, secrets unresolved.</param>
/// <param name="TokenPath">For <c>template</c>, streamed: where each event's piece of the answer is.</param>
/// <param name="OutputTokensPath">For <c>template</c>: where the output token count is.</param>
/// <param name="InputTokensPath">For <c>template</c>: where the input token count is.</param>
public sealed record LlmOptions(
    string Api,
    string? Model = null,
    int? MaxTokens = null,
    double? Temperature = null,
    string? System = null,
    string? BodyTemplate = null,
    string? TokenPath = null,
    string? OutputTokensPath = null,
    string? InputTokensPath = null)
{
    /// <summary>The plain question API.</summary>
    public static LlmOptions Question { get; } = new("question");
}
