namespace Probe.Engine.Text;

/// <summary>
/// "Did you mean" for misspelt names (fields, kinds, metrics, scenarios, regions): the closest known
/// name, ignoring case, within two edits or a third of the word, whichever is more.
/// </summary>
public static class DidYouMean
{
    /// <summary>The closest of <paramref name="candidates"/> to <paramref name="word"/>, or null when none is close.</summary>
    public static string? Closest(string word, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(word);
        ArgumentNullException.ThrowIfNull(candidates);
        string lower = word.ToLowerInvariant();
        return candidates
            .Select(c => (Candidate: c, Distance: EditDistance.Between(lower, c.ToLowerInvariant())))
            .Where(x => x.Distance <= Math.Max(2, word.Length / 3))
            .OrderBy(x => x.Distance)
            .Select(x => x.Candidate)
            .FirstOrDefault();
    }

    /// <summary><c> (did you mean 'x'?)</c> for the closest candidate, or an empty string.</summary>
    public static string Hint(string word, IEnumerable<string> candidates) =>
        Closest(word, candidates) is { } best ? $" (did you mean '{best}'?)" : string.Empty;
}
