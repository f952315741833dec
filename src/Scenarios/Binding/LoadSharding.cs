using Probe.Engine.Simulations;

namespace Probe.Scenarios.Binding;

/// <summary>
/// One shard's share of a load plan when a test runs as N shards (<c>--shard i/N</c>): arrival rates,
/// copies and iteration counts are split so the shards together make exactly the whole — shard i
/// gets ⌊x/N⌋, plus one while i is below x mod N — and durations and pauses stay as they are.
/// </summary>
public static class LoadSharding
{
    /// <exception cref="ArgumentOutOfRangeException">The shard is not 0 ≤ i &lt; N.</exception>
    public static IReadOnlyList<LoadSimulation> Split(IReadOnlyList<LoadSimulation> simulations, ShardIdentity shard)
    {
        ArgumentNullException.ThrowIfNull(simulations);
        ArgumentNullException.ThrowIfNull(shard);
        return shard.Count == 1 ? simulations : simulations.Select(s => s.Split(shard.Index, shard.Count)).ToArray();
    }

    /// <summary>Shard i's part of a whole of <paramref name="total"/>: ⌊total/N⌋ plus one while i &lt; total mod N.</summary>
    public static int Share(int total, ShardIdentity shard) => (int)Share((long)total, shard);

    /// <inheritdoc cref="Share(int, ShardIdentity)"/>
    public static long Share(long total, ShardIdentity shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        return LoadSimulation.ShareOf(total, shard.Index, shard.Count);
    }
}

/// <summary>Which shard of how many: <c>--shard i/N</c>, i from 0 (a Kubernetes Indexed Job's completion index) to N − 1.</summary>
public sealed record ShardIdentity(int Index, int Count)
{
    public static readonly ShardIdentity Whole = new(0, 1);

    /// <summary>Parses <c>i/N</c>; null with a reason when it is not 0 ≤ i &lt; N ≤ 1000.</summary>
    public static ShardIdentity? Parse(string text, out string? error)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int i)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 1000 && i < n)
        {
            error = null;
            return new ShardIdentity(i, n);
        }

        error = $"--shard takes i/N with 0 <= i < N <= 1000 (i is the shard's index from 0, as a Kubernetes Indexed Job's completion index), such as 0/4; found '{text}'";
        return null;
    }

    public override string ToString() => $"{Index}/{Count}";
}
