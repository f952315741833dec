using System.Globalization;
using Probe.Engine.Timing;
using Probe.Scenarios.Binding;

namespace Probe.Runner.Cli;

/// <summary>Parses <c>--simulate REGION:latency=200ms,loss=20%</c> into each region's network conditions.</summary>
internal static class SimulateOption
{
    public static IReadOnlyDictionary<string, NetworkConditions> Parse(IEnumerable<string> values, List<string> errors)
    {
        var result = new Dictionary<string, NetworkConditions>(StringComparer.Ordinal);
        foreach (string value in values)
        {
            int colon = value.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == value.Length - 1)
            {
                errors.Add($"--simulate takes REGION:latency=200ms,loss=20%; found '{value}'");
                continue;
            }

            TimeSpan latency = TimeSpan.Zero;
            double loss = 0;
            foreach (string part in value[(colon + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string[] kv = part.Split('=', 2);
                if (kv is ["latency", var l] && DurationText.TryParse(l, out TimeSpan d, out _) && d >= TimeSpan.Zero)
                {
                    latency = d;
                }
                else if (kv is ["loss", var p] && p.EndsWith('%') && double.TryParse(p[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double percent) && percent is >= 0 and <= 100)
                {
                    loss = percent / 100;
                }
                else
                {
                    errors.Add($"--simulate {value}: '{part}' is not latency=DURATION (such as 200ms) or loss=PERCENT (0% to 100%, such as 20%)");
                }
            }

            result[value[..colon]] = new NetworkConditions(latency, loss);
        }

        return result;
    }
}
