using Probe.Engine.Histograms;

namespace Probe.Engine.Stats;

/// <summary>One RAG step's answer quality over the run (its token figures are the step's <see cref="StepSnapshot.Llm"/>).</summary>
/// <param name="Scenario">The scenario.</param>
/// <param name="Step">The step.</param>
/// <param name="Questions">Each golden question's outcome.</param>
/// <param name="PassRate">Answers with every fact and every expected source, over all answers.</param>
/// <param name="FactRecall">Expected facts found in answers, over all expected.</param>
/// <param name="SourceRecall">Expected sources cited, over all expected.</param>
/// <param name="Retrieval">Retrieval time the service reported.</param>
/// <param name="Generation">Generation time the service reported.</param>
public sealed record RagStepReport(
    string Scenario,
    string Step,
    IReadOnlyList<RagQuestionReport> Questions,
    double PassRate,
    double FactRecall,
    double SourceRecall,
    LatencySummary Retrieval,
    LatencySummary Generation);

/// <summary>One golden question's outcome over the run.</summary>
public sealed record RagQuestionReport(int Index, string Question, long Asked, long Passed, long FactsFound, long FactsExpected, long SourcesCited, long SourcesExpected, string? LastMiss);
