using System.Runtime.CompilerServices;

namespace Probe.Exporter.Prometheus;

/// <summary>
/// Feeds running totals (a snapshot's or a tally's counts) into counter series: each call adds what
/// the total gained since the last call for that series, so the counter only goes up. A total below
/// the last one means its source started again (a suite reload binds new tallies): it counts from zero.
/// </summary>
public sealed class CounterFeed
{
    private readonly ConditionalWeakTable<Series, StrongBox<double>> _last = new();

    /// <summary>Brings <paramref name="counter"/> up to date with <paramref name="total"/>.</summary>
    public void Feed(Series counter, double total)
    {
        ArgumentNullException.ThrowIfNull(counter);
        StrongBox<double> last = _last.GetValue(counter, static _ => new StrongBox<double>(0));
        lock (last)
        {
            double gained = total >= last.Value ? total - last.Value : total;
            if (gained > 0)
            {
                counter.Add(gained);
            }

            last.Value = total;
        }
    }
}
