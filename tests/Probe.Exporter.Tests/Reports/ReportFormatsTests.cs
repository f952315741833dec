using System.Globalization;
using System.Text;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

/// <summary>
/// Every format rendered from a stored run (Golden/NAME/run.json, a real run of the default suite and
/// a failing, invalid one) must equal the stored outputs byte for byte, under the invariant culture
/// and a decimal-comma one: reports are a contract, and a refactoring must not move a byte.
/// A deliberate change of a format rewrites them with PROBE_UPDATE_GOLDEN=1; review the diff.
/// </summary>
public class ReportFormatsTests
{
    private static readonly string Golden = Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden");

    public static TheoryData<string, string, string> Cases()
    {
        var cases = new TheoryData<string, string, string>();
        foreach (string run in (string[])["demo", "failing"])
        {
            foreach (ReportFormat format in ReportFormats.All)
            {
                cases.Add(run, format.FileName, string.Empty);
                cases.Add(run, format.FileName, "ru-RU");
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Write_AStoredRun_RendersTheStoredOutputByteForByte(string run, string file, string culture)
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, run));
        ReportFormat format = ReportFormats.All.Single(f => f.FileName == file);

        byte[] rendered = Render(format, report, CultureInfo.GetCultureInfo(culture));

        string expected = Path.Combine(Golden, run, file);
        if (Environment.GetEnvironmentVariable("PROBE_UPDATE_GOLDEN") == "1" && culture.Length == 0 && file != RunDataJson.FileName)
        {
            File.WriteAllBytes(expected, rendered);
        }

        Assert.Equal(Encoding.UTF8.GetString(File.ReadAllBytes(expected)), Encoding.UTF8.GetString(rendered));
        Assert.Equal(File.ReadAllBytes(expected), rendered);
    }

    [Fact]
    public void Write_TheFolder_HasEveryFormatsFile()
    {
        RunReport report = RunReport.ReadFolder(Path.Combine(Golden, "demo"));
        string folder = Path.Combine(Path.GetTempPath(), "probe-report-" + Guid.NewGuid().ToString("n"));

        ReportFolder.Write(folder, report);

        Assert.Equal(ReportFormats.All.Select(f => f.FileName).Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Directory.Delete(folder, recursive: true);
    }

    private static byte[] Render(ReportFormat format, RunReport report, CultureInfo culture)
    {
        CultureInfo before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = culture;
        try
        {
            using var output = new MemoryStream();
            format.Write(report, output);
            return output.ToArray();
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }
}
