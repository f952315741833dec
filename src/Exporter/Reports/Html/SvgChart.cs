using System.Globalization;
using System.Net;
using System.Text;

namespace Probe.Exporter.Reports.Html;

/// <summary>Small inline SVG charts for the HTML report: lines over time and bars. No scripts, no external assets.</summary>
internal static class SvgChart
{
    private const int Width = 900;
    private const int Height = 220;
    private const int Left = 64;
    private const int Right = 16;
    private const int Top = 28;
    private const int Bottom = 30;
    private static readonly string[] Palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

    /// <summary>
    /// One line per series; x in seconds from the start; y labelled in <paramref name="unit"/> (ticks are
    /// round numbers, each label distinct); each of <paramref name="markers"/> a dashed vertical line at its x, labelled.
    /// <paramref name="span"/>: the largest x of the axis (charts of one scenario share it, so that one second sits
    /// at the same place in each); without it, the largest x of the points.
    /// </summary>
    public static string Lines(string id, string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, string unit = "", IReadOnlyList<(double X, string Label)>? markers = null, double? span = null)
    {
        double maxX = Math.Max(1, span ?? series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max());
        Ticks y = Ticks.For(series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(0).Max());
        var svg = Begin(id, title);
        Axes(svg, Ticks.For(maxX), y, unit);
        double maxY = y.Max;
        maxX = Ticks.For(maxX).Max;
        for (int i = 0; i < series.Count; i++)
        {
            string color = Palette[i % Palette.Length];
            var points = series[i].Points;
            if (points.Count == 0)
            {
                continue;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
            foreach ((double x, double v) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{X(x, maxX):0.#},{Y(v, maxY):0.#} ");
            }

            svg.Append("\"><title>").Append(Encode(series[i].Name)).Append("</title></polyline>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - ((series.Count - i) * 130)}\" y=\"14\" fill=\"{color}\" font-size=\"12\">■ {Encode(series[i].Name)}</text>");
        }

        foreach ((double at, string label) in (markers ?? []).Where(m => m.X >= 0 && m.X <= maxX))
        {
            double x = X(at, maxX);
            svg.Append(CultureInfo.InvariantCulture, $"<g class=\"marker\"><line x1=\"{x:0.#}\" y1=\"{Top}\" x2=\"{x:0.#}\" y2=\"{Height - Bottom}\" stroke=\"#555\" stroke-dasharray=\"4 3\"/><text x=\"{x + 3:0.#}\" y=\"{Top + 10}\" font-size=\"10\" fill=\"#555\">{Encode(label)}</text><title>{Encode(label)}</title></g>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Vertical bars with labels under them (at most every few labels are drawn).</summary>
    public static string Bars(string id, string title, IReadOnlyList<(string Label, double Value)> bars, string unit = "")
    {
        Ticks y = Ticks.For(bars.Select(b => b.Value).DefaultIfEmpty(0).Max());
        var svg = Begin(id, title);
        Axes(svg, null, y, unit);
        double slot = (Width - Left - Right) / (double)Math.Max(1, bars.Count);
        int labelEvery = Math.Max(1, (int)Math.Ceiling(bars.Count / 8.0));
        for (int i = 0; i < bars.Count; i++)
        {
            double x = Left + (i * slot);
            double top = Y(bars[i].Value, y.Max);
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x + 1:0.#}\" y=\"{top:0.#}\" width=\"{Math.Max(1, slot - 2):0.#}\" height=\"{Height - Bottom - top:0.#}\" fill=\"{Palette[0]}\"><title>{Encode(bars[i].Label)}: {Encode(y.Label(bars[i].Value))}{Encode(unit)}</title></rect>");
            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot / 2):0.#}\" y=\"{Height - 10}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{Encode(bars[i].Label)}</text>");
            }
        }

        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Begin(string id, string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"{Left}\" y=\"14\" font-size=\"13\" font-weight=\"600\">{Encode(title)}</text>");

    private static void Axes(StringBuilder svg, Ticks? x, Ticks y, string unit)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#999\"/>");
        foreach (double v in y.Values)
        {
            double at = Y(v, y.Max);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{at:0.#}\" x2=\"{Width - Right}\" y2=\"{at:0.#}\" stroke=\"#eee\"/><text class=\"tick\" x=\"{Left - 6}\" y=\"{at + 4:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">{Encode(y.Label(v) + unit)}</text>");
        }

        foreach (double v in x?.Values ?? [])
        {
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{X(v, x!.Max):0.#}\" y=\"{Height - 10}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{Encode(x.Label(v))}s</text>");
        }
    }

    private static double X(double x, double maxX) => Left + (x / maxX * (Width - Left - Right));

    private static double Y(double y, double maxY) => Height - Bottom - (maxY <= 0 ? 0 : y / maxY * (Height - Top - Bottom));

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    /// <summary>
    /// Axis ticks: multiples of a round step (1, 2 or 5 times a power of ten) from 0 to at least the
    /// largest value, four to six of them, each labelled with as many decimals as the step needs, so
    /// no two labels read the same (an axis of 0, 0, 1, 1, 1 said nothing).
    /// </summary>
    internal sealed record Ticks(double Step, int Count, int Decimals)
    {
        public double Max => Step * Count;

        public IEnumerable<double> Values => Enumerable.Range(0, Count + 1).Select(i => i * Step);

        public static Ticks For(double largest)
        {
            if (!(largest > 0) || double.IsInfinity(largest))
            {
                return new Ticks(0.25, 4, 2);
            }

            double raw = largest / 4;
            double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
            double step = new[] { 1.0, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw - (raw * 1e-9));
            int count = Math.Max(1, (int)Math.Ceiling((largest / step) - 1e-9));
            int decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
            return new Ticks(step, count, decimals);
        }

        public string Label(double value) => value.ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
    }
}
