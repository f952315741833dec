namespace Probe.Engine.Stats;

/// <summary>A scenario's checks over a run: how many evaluations, how many of them did not hold.</summary>
/// <param name="Evaluated">Check evaluations (every check of every step result that ran its checks).</param>
/// <param name="Failed">Evaluations that did not hold.</param>
public readonly record struct CheckTotals(long Evaluated, long Failed)
{
    /// <summary>The share of evaluations that held, 0 to 1 (k6's <c>checks</c> rate); 0 without any.</summary>
    public double PassRate => Evaluated == 0 ? 0 : (double)(Evaluated - Failed) / Evaluated;

    /// <summary>The sum of two tallies (shards, sequences).</summary>
    public static CheckTotals operator +(CheckTotals a, CheckTotals b) => new(a.Evaluated + b.Evaluated, a.Failed + b.Failed);
}
