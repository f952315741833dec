using System.Globalization;
using Probe.Engine.Timing;

namespace Probe.DemoTarget.Faults;

/// <summary>
/// Added latency: <c>none</c>, <c>fixed:50ms</c>, <c>uniform:10ms..50ms</c>, <c>normal:100ms,20ms</c>
/// (mean, standard deviation; never below 0) or <c>exponential:40ms</c> (mean).
/// </summary>
public sealed record LatencyDistribution(string Kind, TimeSpan A, TimeSpan B)
{
    public static LatencyDistribution None { get; } = new("none", TimeSpan.Zero, TimeSpan.Zero);

    public static LatencyDistribution Fixed(TimeSpan value) => new("fixed", value, value);

    /// <summary>Draws one delay.</summary>
    public TimeSpan Sample(Random random) => Kind switch
    {
        "fixed" => A,
        "uniform" => A + ((B - A) * random.NextDouble()),
        "normal" => TimeSpan.FromTicks(Math.Max(0, (long)(A.Ticks + (B.Ticks * Gaussian(random))))),
        "exponential" => TimeSpan.FromTicks((long)(-A.Ticks * Math.Log(1 - random.NextDouble()))),
        _ => TimeSpan.Zero,
    };

    public override string ToString() => Kind switch
    {
        "none" => "none",
        "fixed" or "exponential" => $"{Kind}:{DurationText.Format(A)}",
        "uniform" => $"uniform:{DurationText.Format(A)}..{DurationText.Format(B)}",
        _ => $"normal:{DurationText.Format(A)},{DurationText.Format(B)}",
    };

    /// <summary>Parses the forms above.</summary>
    /// <exception cref="FormatException">Not one of them; the message shows the forms.</exception>
    public static LatencyDistribution Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string Forms = "none, fixed:50ms, uniform:10ms..50ms, normal:100ms,20ms or exponential:40ms";
        string t = text.Trim();
        if (t is "none" or "")
        {
            return None;
        }

        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? "fixed" : t[..colon];
        string args = colon < 0 ? t : t[(colon + 1)..];
        try
        {
            return kind switch
            {
                "fixed" => Fixed(DurationText.Parse(args)),
                "exponential" => new("exponential", DurationText.Parse(args), TimeSpan.Zero),
                "uniform" when args.Split("..") is [var lo, var hi] => Ordered(DurationText.Parse(lo), DurationText.Parse(hi)),
                "normal" when args.Split(',') is [var mean, var sd] => new("normal", DurationText.Parse(mean), DurationText.Parse(sd)),
                _ => throw new FormatException($"latency '{text}' is not one of {Forms}"),
            };
        }
        catch (FormatException e) when (!e.Message.StartsWith("latency '", StringComparison.Ordinal))
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"latency '{text}': {e.Message}; expected {Forms}"));
        }
    }

    private static LatencyDistribution Ordered(TimeSpan lo, TimeSpan hi) =>
        hi >= lo ? new("uniform", lo, hi) : throw new FormatException("the upper bound is below the lower bound");

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
