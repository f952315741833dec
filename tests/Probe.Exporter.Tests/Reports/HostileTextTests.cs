using System.Xml.Linq;
using Probe.Engine.Text;
using Probe.Exporter.Reports;
using Probe.TestUtils;

namespace Probe.Exporter.Tests.Reports;

/// <summary>
/// What a target sent reaches the reports through failure messages and checks' last values; control
/// characters in it (a BEL, NUL or an ESC sequence in an error body) must neither break a format nor
/// reach a terminal. A run stored before they were escaped is rendered again safely too.
/// </summary>
public class HostileTextTests
{
    private const string Hostile = "status was 500: bell\u0007 nul\u0000 esc\u001b[31mred\u001b[0m line\nbreak \ud83d\ude00 lone\ud800";

    [Fact]
    public void Printable_ControlCharactersAndLoneSurrogates_BecomeVisibleEscapes()
    {
        Assert.Equal("status was 500: bell\\u0007 nul\\u0000 esc\\u001B[31mred\\u001B[0m line\\nbreak \ud83d\ude00 lone\\uD800", Printable.Of(Hostile));
        const string Clean = "check 'status == 200' failed: status was 500 — ünïcödé ✓";
        Assert.Same(Clean, Printable.Of(Clean));
    }

    [Fact]
    public void JUnit_AStoredRunWithControlCharactersInAMessage_IsValidXmlShowingThemEscaped()
    {
        // The regression: a BEL in a target's error message made junit.xml's writer throw, and the reports after it were never written.
        string folder = Directory.CreateTempSubdirectory("probe-hostile").FullName;
        string run = File.ReadAllText(Path.Combine(Repository.Root, "tests", "Probe.Exporter.Tests", "Reports", "Golden", "failing", "run.json"));
        File.WriteAllText(Path.Combine(folder, "run.json"), run.Replace("failed: status was 500", System.Text.Json.JsonSerializer.Serialize(Hostile)[1..^1], StringComparison.Ordinal));
        RunReport report = RunReport.ReadFolder(folder);

        using var xml = new MemoryStream();
        JUnitReport.Write(report, xml);

        xml.Position = 0;
        string text = XDocument.Load(xml).ToString();
        Assert.Contains("bell\\u0007 nul\\u0000 esc\\u001B[31mred", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', text);
        Directory.Delete(folder, recursive: true);
    }

    [Theory]
    [InlineData("bell\u0007 esc\u001b[31m", "bell\\\\u0007 esc\\\\u001B\\[31m")]
    [InlineData("two\r\nlines", "two lines")]
    public void Markdown_ControlCharacters_AreEscapedNotWritten(string text, string expected) => Assert.Equal(expected, MarkdownReport.Escape(text));
}
