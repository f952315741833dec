using Probe.Exporter.Reports;

namespace Probe.Exporter.Tests.Reports;

public class MarkdownReportTests
{
    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;")]
    [InlineData("a | b", "a \\| b")]
    [InlineData("two\nlines", "two lines")]
    [InlineData("*bold* _it_ `code` [link](x) ~~s~~ \\", "\\*bold\\* \\_it\\_ \\`code\\` \\[link\\](x) \\~\\~s\\~\\~ \\\\")]
    [InlineData("Tom & Jerry", "Tom &amp; Jerry")]
    public void Escape_TextATargetSent_StaysText(string text, string expected) => Assert.Equal(expected, MarkdownReport.Escape(text));

    [Theory]
    [InlineData("p95 < 500ms", "`p95 < 500ms`")]
    [InlineData("body.a | b", "`body.a \\| b`")]
    [InlineData("has `tick`", "`` has `tick` ``")]
    public void Code_Expressions_AreCodeSpansThatCannotBreakOut(string text, string expected) => Assert.Equal(expected, MarkdownReport.Code(text));
}
