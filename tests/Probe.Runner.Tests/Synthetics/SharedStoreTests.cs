using System.Net.Http.Json;
using System.Text.Json;
using Probe.TestUtils;
using Xunit;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>Production shape: one process per region writing to one PostgreSQL; each exports the global view.</summary>
[Collection(RealTimeCollection.Name)]
public sealed class SharedStoreTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TwoRegionProcesses_OneStore_EachServesBothRegionsAndTheQuorum()
    {
        string folder = ProbeProcess.TempFolder();
        string suite = SyntheticsSuites.Write(folder, ProbeProcess.FreePort(), regions: "[\"us-east\", \"eu-west\"]");
        string store = "postgres:" + await postgres.CreateDatabaseAsync();
        string east = Path.Combine(folder, "east"), west = Path.Combine(folder, "west");
        await using var a = await SyntheticsProcess.StartAsync(folder, suite, "--region", "us-east", "--store", store, "--data", east, "--refresh", "1s");
        await using var b = await SyntheticsProcess.StartAsync(folder, suite, "--region", "eu-west", "--store", store, "--data", west, "--refresh", "1s", "--simulate", "eu-west:loss=100%");
        await a.WaitForResultsAsync(4, Limit);
        await b.WaitForResultsAsync(4, Limit);

        using var http = new HttpClient { BaseAddress = a.Address };
        // The view refreshes every second: wait until it shows both regions for every check.
        JsonElement status = await Poll.UntilAsync(
            cancellation => http.GetFromJsonAsync<JsonElement>("api/status", cancellation),
            s => s.GetProperty("regions").GetArrayLength() == 2 && s.GetProperty("checks").EnumerateArray().All(c => c.GetProperty("regions").EnumerateObject().Count() == 2),
            Limit);

        Assert.Equal(["eu-west", "us-east"], status.GetProperty("regions").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(2, status.GetProperty("quorum").GetInt32());
        foreach (JsonElement check in status.GetProperty("checks").EnumerateArray())
        {
            Assert.Equal(1, check.GetProperty("regions_succeeding").GetInt32());
            Assert.False(check.GetProperty("quorum_up").GetBoolean());
            Assert.False(check.GetProperty("regions").GetProperty("eu-west").GetProperty("last").GetProperty("ok").GetBoolean());
            Assert.True(check.GetProperty("regions").GetProperty("us-east").GetProperty("last").GetProperty("ok").GetBoolean());
        }

        string metrics = await http.GetStringAsync("metrics");
        Assert.Contains("probe_sli_ratio{suite=\"synth\",slo=\"availability\",window=\"5m\",region=\"eu-west\"} 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("probe_quorum_up{suite=\"synth\",scenario=\"health\"} 0\n", metrics, StringComparison.Ordinal);
    }
}
