using Probe.Scenarios.Suite;
using System.Collections.Concurrent;
using Probe.Engine.Histograms;
using Probe.Engine.Stats;

namespace Probe.Scenarios.Steps.Rag;

/// <summary>Per-question RAG figures of a run: answer facts and cited sources found, retrieval and generation time (token figures go with each step's results).</summary>
public sealed class RagTally
{
    private readonly ConcurrentDictionary<(string Scenario, string Step), RagStepTally> _steps = new();
    private readonly SecretRedactor _redactor;

    /// <param name="redactor">Keeps secrets out of the answers a miss quotes; none by default.</param>
    public RagTally(SecretRedactor? redactor = null) => _redactor = redactor ?? SecretRedactor.None;

    /// <summary>Every RAG step's report, by scenario then step.</summary>
    public IReadOnlyList<RagStepReport> Reports() =>
        _steps.OrderBy(s => s.Key.Scenario, StringComparer.Ordinal).ThenBy(s => s.Key.Step, StringComparer.Ordinal).Select(s => s.Value.Report(s.Key.Scenario, s.Key.Step)).ToArray();

    internal RagStepTally For(string scenario, string step) => _steps.GetOrAdd((scenario, step), static (_, redactor) => new RagStepTally(redactor), _redactor);
}

/// <summary>The live tally of one RAG step; RAG steps run at modest rates, so a lock is fine.</summary>
internal sealed class RagStepTally(SecretRedactor redactor)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, Question> _questions = [];
    private readonly LatencyHistogram _retrieval = new(1);
    private readonly LatencyHistogram _generation = new(1);

    public void Record(int index, string question, RagScore score)
    {
        lock (_lock)
        {
            if (!_questions.TryGetValue(index, out Question? q))
            {
                _questions[index] = q = new Question(question);
            }

            q.Asked++;
            q.Passed += score.Passed ? 1 : 0;
            q.FactsFound += score.FactsFound;
            q.FactsExpected += score.FactsExpected;
            q.SourcesCited += score.SourcesCited;
            q.SourcesExpected += score.SourcesExpected;
            q.LastMiss = redactor.Redact(score.Miss) ?? q.LastMiss;
            Record(_retrieval, score.RetrievalNs);
            Record(_generation, score.GenerationNs);
        }
    }

    public RagStepReport Report(string scenario, string step)
    {
        lock (_lock)
        {
            var questions = _questions.OrderBy(q => q.Key).Select(q => new RagQuestionReport(
                q.Key, q.Value.Text, q.Value.Asked, q.Value.Passed, q.Value.FactsFound, q.Value.FactsExpected, q.Value.SourcesCited, q.Value.SourcesExpected, q.Value.LastMiss)).ToArray();
            long asked = questions.Sum(q => q.Asked);
            return new RagStepReport(
                scenario,
                step,
                questions,
                Ratio(questions.Sum(q => q.Passed), asked),
                Ratio(questions.Sum(q => q.FactsFound), questions.Sum(q => q.FactsExpected)),
                Ratio(questions.Sum(q => q.SourcesCited), questions.Sum(q => q.SourcesExpected)),
                _retrieval.Summarize(),
                _generation.Summarize());
        }
    }

    private static void Record(LatencyHistogram h, long ns)
    {
        if (ns >= 0)
        {
            h.Record(ns);
        }
    }

    private static double Ratio(long part, long whole) => whole == 0 ? 1 : (double)part / whole;

    private sealed class Question(string text)
    {
        public string Text { get; } = text;

        public long Asked { get; set; }

        public long Passed { get; set; }

        public long FactsFound { get; set; }

        public long FactsExpected { get; set; }

        public long SourcesCited { get; set; }

        public long SourcesExpected { get; set; }

        public string? LastMiss { get; set; }
    }
}

/// <summary>How one answer scored; times in nanoseconds, −1 when unknown.</summary>
internal sealed record RagScore(bool Passed, int FactsFound, int FactsExpected, int SourcesCited, int SourcesExpected, string? Miss, long RetrievalNs, long GenerationNs);
