using System.Globalization;
using Probe.Exporter.Prometheus;

namespace Probe.Exporter.Tests.Prometheus;

public class TextExpositionTests
{
    private const string Expected =
        "# HELP probe_check_runs_total Step results by \"outcome\", with a \\\\ and\\na second line.\n" +
        "# TYPE probe_check_runs_total counter\n" +
        "probe_check_runs_total{scenario=\"smoke\",step=\"say \\\"hi\\\"\",result=\"ok\"} 1234\n" +
        "probe_check_runs_total{scenario=\"back\\\\slash\",step=\"two\\nlines\",result=\"fail\"} 0.25\n" +
        "probe_check_runs_total{scenario=\"ünïcødé ✓\",step=\"\",result=\"ok\"} 1.5E-07\n" +
        "# HELP probe_special A gauge.\n" +
        "# TYPE probe_special gauge\n" +
        "probe_special{v=\"inf\"} +Inf\n" +
        "probe_special{v=\"-inf\"} -Inf\n" +
        "probe_special{v=\"nan\"} NaN\n" +
        "probe_special 12345678.9\n";

    [Theory]
    [InlineData("")]
    [InlineData("ru-RU")]
    [InlineData("de-DE")]
    public void Render_AwkwardLabelsAndValues_AreEscapedAndInvariantInAnyCulture(string culture)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var x = new TextExposition()
                .Family("probe_check_runs_total", "counter", "Step results by \"outcome\", with a \\ and\na second line.")
                .Sample("probe_check_runs_total", [("scenario", "smoke"), ("step", "say \"hi\""), ("result", "ok")], 1234)
                .Sample("probe_check_runs_total", [("scenario", "back\\slash"), ("step", "two\nlines"), ("result", "fail")], 0.25)
                .Sample("probe_check_runs_total", [("scenario", "ünïcødé ✓"), ("step", string.Empty), ("result", "ok")], 1.5e-7)
                .Family("probe_special", "gauge", "A gauge.")
                .Sample("probe_special", [("v", "inf")], double.PositiveInfinity)
                .Sample("probe_special", [("v", "-inf")], double.NegativeInfinity)
                .Sample("probe_special", [("v", "nan")], double.NaN)
                .Sample("probe_special", [], 12345678.9);

            Assert.Equal(Expected, x.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void Family_WrittenTwice_Throws()
    {
        var x = new TextExposition().Family("probe_a", "gauge", "A.");
        Assert.Throws<InvalidOperationException>(() => x.Family("probe_a", "gauge", "A."));
    }
}
