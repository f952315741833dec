namespace Probe.Exporter.Prometheus;

/// <summary>
/// A list that only grows, read without locks or copies: writers append under a lock and then
/// publish (array, count); a scrape reads whatever was published, so it allocates nothing.
/// </summary>
internal sealed class AppendOnlyList<T>
    where T : class
{
    private readonly Lock _lock = new();
    private volatile Snapshot _published = new([], 0);

    public void Add(T item)
    {
        lock (_lock)
        {
            Snapshot current = _published;
            T[] items = current.Items;
            if (current.Count == items.Length)
            {
                Array.Resize(ref items, Math.Max(4, items.Length * 2));
            }

            items[current.Count] = item;
            _published = new Snapshot(items, current.Count + 1);
        }
    }

    /// <summary>Publishes a copy without the items <paramref name="match"/> picks; a scrape reading the old array finishes with it.</summary>
    public void RemoveAll(Predicate<T> match)
    {
        lock (_lock)
        {
            Snapshot current = _published;
            T[] kept = Array.FindAll(current.Items[..current.Count], item => !match(item));
            _published = new Snapshot(kept, kept.Length);
        }
    }

    /// <summary>The items published so far (a view, not a copy).</summary>
    public ReadOnlySpan<T> Items
    {
        get
        {
            Snapshot s = _published;
            return s.Items.AsSpan(0, s.Count);
        }
    }

    private sealed record Snapshot(T[] Items, int Count);
}
