using Probe.Exporter.Publishing;

namespace Probe.Exporter.Tests.Publishing;

public class PushgatewayClientTests
{
    [Theory]
    [InlineData("demo", "host-1.local", "metrics/job/probe/suite/demo/instance/host-1.local")]
    [InlineData("..", "vm", "metrics/job/probe/suite@base64/Li4/instance/vm")]
    [InlineData("a/b", "vm", "metrics/job/probe/suite@base64/YS9i/instance/vm")]
    [InlineData("", "vm", "metrics/job/probe/suite@base64/=/instance/vm")]
    [InlineData("ünï ✓", "vm", "metrics/job/probe/suite@base64/w7xuw68g4pyT/instance/vm")]
    public void GroupPath_NamesThatAreNotPlain_GoInBase64UrlAndCannotReachAnotherGroup(string suite, string instance, string expected) =>
        Assert.Equal(expected, PushgatewayClient.GroupPath(suite, instance));
}
