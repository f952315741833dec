using System.Globalization;
using Probe.Engine.Stats;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Stores;

/// <summary>
/// What makes a stored result a good event of an SLI counted per result, as an SQL condition both
/// stores understand: a latency SLO's success under its threshold, a ttft SLO's answer whose first
/// token came sooner, a goodput SLO's answer meeting every objective. Only numbers from the suite go
/// in, each as a parameter.
/// </summary>
internal sealed class SliCondition
{
    private readonly Func<Func<double, string>, string> _sql;

    private SliCondition(Func<Func<double, string>, string> sql) => _sql = sql;

    /// <summary>Nothing is good (availability SLOs count successful runs instead).</summary>
    public static SliCondition None { get; } = new(_ => "1 = 0");

    /// <summary>The condition of <paramref name="slo"/>'s good events.</summary>
    public static SliCondition For(SloSpec slo)
    {
        ArgumentNullException.ThrowIfNull(slo);
        double threshold = slo.LatencyThreshold?.TotalMilliseconds ?? 0;
        return slo.Kind switch
        {
            "latency" => new(bind => $"ok AND duration_ms < {bind(threshold)}"),
            _ when slo.OnLlm => new(bind => string.Join(" AND ", slo.AnswerObjectives.Select(o => Objective(o, bind)).Prepend("llm_ok"))),
            _ => None,
        };
    }

    /// <summary>The SQL condition, with each number replaced by the placeholder <paramref name="bind"/> gives for it.</summary>
    public string Sql(Func<double, string> bind) => _sql(bind);

    private static string Objective(LlmObjective o, Func<double, string> bind)
    {
        (string column, double bound) = o.Measure switch
        {
            LlmMeasure.TimeToFirstToken => ("llm_ttft_ms", o.Bound / 1e6),
            LlmMeasure.TimePerOutputToken => ("llm_tpot_ms", o.Bound / 1e6),
            LlmMeasure.EndToEnd => ("llm_e2e_ms", o.Bound / 1e6),
            _ => ("llm_tps", o.Bound),
        };
        string op = o.Comparison switch
        {
            Comparison.Less => "<",
            Comparison.LessOrEqual => "<=",
            Comparison.Greater => ">",
            Comparison.GreaterOrEqual => ">=",
            Comparison.Equal => "=",
            _ => "<>",
        };
        string test = $"{column} {op} {bind(bound)}";

        // An answer of one token has no time per output token: nothing to pace, so the objective is met (as vLLM counts it).
        return o.Measure == LlmMeasure.TimePerOutputToken ? $"({column} IS NULL OR {test})" : test;
    }

    public override string ToString() => Sql(v => v.ToString(CultureInfo.InvariantCulture));
}
