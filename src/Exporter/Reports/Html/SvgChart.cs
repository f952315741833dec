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

    /// <summary>One line per series; x in seconds from the start, y formatted with <paramref name="format"/>.</summary>
    public static string Lines(string id, string title, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, Func<double, string> format)
    {
        double maxX = Math.Max(1, series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max());
        double maxY = NiceCeiling(series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(0).Max());
        var svg = Begin(id, title);
        Axes(svg, maxX, maxY, format);
        for (int i = 0; i < series.Count; i++)
        {
            string color = Palette[i % Palette.Length];
            var points = series[i].Points;
            if (points.Count == 0)
            {
                continue;
            }

            svg.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"");
            foreach ((double x, double y) in points)
            {
                svg.Append(CultureInfo.InvariantCulture, $"{X(x, maxX):0.#},{Y(y, maxY):0.#} ");
            }

            svg.Append("\"><title>").Append(Encode(series[i].Name)).Append("</title></polyline>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width - Right - ((series.Count - i) * 110)}\" y=\"14\" fill=\"{color}\" font-size=\"12\">■ {Encode(series[i].Name)}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>Vertical bars with labels under them (at most every few labels are drawn).</summary>
    public static string Bars(string id, string title, IReadOnlyList<(string Label, double Value)> bars, Func<double, string> format)
    {
        double maxY = NiceCeiling(bars.Select(b => b.Value).DefaultIfEmpty(0).Max());
        var svg = Begin(id, title);
        Axes(svg, maxX: 0, maxY, format);
        double slot = (Width - Left - Right) / (double)Math.Max(1, bars.Count);
        int labelEvery = Math.Max(1, bars.Count / 8);
        for (int i = 0; i < bars.Count; i++)
        {
            double x = Left + (i * slot);
            double y = Y(bars[i].Value, maxY);
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x + 1:0.#}\" y=\"{y:0.#}\" width=\"{Math.Max(1, slot - 2):0.#}\" height=\"{Height - Bottom - y:0.#}\" fill=\"{Palette[0]}\"><title>{Encode(bars[i].Label)}: {Encode(format(bars[i].Value))}</title></rect>");
            if (i % labelEvery == 0)
            {
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + (slot / 2):0.#}\" y=\"{Height - 10}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{Encode(bars[i].Label)}</text>");
            }
        }

        return svg.Append("</svg>").ToString();
    }

    private static StringBuilder Begin(string id, string title) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Encode(title)}\" xmlns=\"http://www.w3.org/2000/svg\"><text x=\"{Left}\" y=\"14\" font-size=\"13\" font-weight=\"600\">{Encode(title)}</text>");

    private static void Axes(StringBuilder svg, double maxX, double maxY, Func<double, string> format)
    {
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width - Right}\" y2=\"{Height - Bottom}\" stroke=\"#999\"/>");
        for (int t = 0; t <= 4; t++)
        {
            double v = maxY * t / 4;
            double y = Y(v, maxY);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\" stroke=\"#eee\"/><text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">{Encode(format(v))}</text>");
        }

        if (maxX > 0)
        {
            for (int t = 0; t <= 5; t++)
            {
                double v = maxX * t / 5;
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(v, maxX):0.#}\" y=\"{Height - 10}\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">{v:0.#}s</text>");
            }
        }
    }

    private static double X(double x, double maxX) => Left + (x / maxX * (Width - Left - Right));

    private static double Y(double y, double maxY) => Height - Bottom - (maxY <= 0 ? 0 : y / maxY * (Height - Top - Bottom));

    /// <summary>1, 2 or 5 times a power of ten, at least <paramref name="value"/>.</summary>
    private static double NiceCeiling(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (double step in new[] { 1.0, 2, 5, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
