using System.Text.RegularExpressions;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Deploy;

/// <summary>
/// deploy/alertmanager/alertmanager.yml passes the real amtool, and routes every severity the
/// generated rules use where its header says: pages to PagerDuty and Slack, P1 to Slack, tickets and
/// P2 to the ticket webhook — so a rule `probe rules` writes never lands on a receiver nobody reads.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class AlertmanagerConfigTests
{
    private static readonly string Config = Path.Combine(Repository.Root, "deploy", "alertmanager", "alertmanager.yml");

    [Fact]
    public async Task AlertmanagerConfig_PassesAmtool()
    {
        var (code, output) = await Amtool.CheckConfigAsync(Config);

        Assert.True(code == 0, output);
        Assert.Contains("3 receivers", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EverySeverityTheGeneratedRulesUse_ReachesItsReceivers()
    {
        string folder = ProbeProcess.TempFolder();
        var (exit, stdout, _) = await ProbeProcess.RunAsync(folder, "rules", Path.Combine(Repository.Root, "examples", "rag-chatbot.json"), "--out", "rules");
        Assert.True(exit == 0, stdout);
        string rules = await File.ReadAllTextAsync(Path.Combine(folder, "rules", "probe-rules.yml"));
        string[] severities = Regex.Matches(rules, @"^\s+severity: ""?([^""\s]+)""?\s*$", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Distinct().Order(StringComparer.Ordinal).ToArray();
        var expected = new Dictionary<string, string[]>
        {
            ["P0"] = ["pagerduty", "slack"],
            ["page"] = ["pagerduty", "slack"],
            ["P1"] = ["slack"],
            ["P2"] = ["ticket-webhook"],
            ["ticket"] = ["ticket-webhook"],
        };

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), severities);
        foreach (string severity in severities)
        {
            string[] receivers = await Amtool.ReceiversAsync(Config, $"severity={severity}", "alertname=ProbeServiceDown", "suite=rag-chatbot-phase8", "scenario=uptime");
            Assert.True(expected[severity].SequenceEqual(receivers), $"severity {severity} reaches {string.Join(", ", receivers)}, not {string.Join(", ", expected[severity])}");
        }
    }
}
