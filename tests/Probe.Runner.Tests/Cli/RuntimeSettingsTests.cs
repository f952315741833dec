using System.Text.Json;

namespace Probe.Runner.Tests.Cli;

/// <summary>
/// The compilation settings a load generator needs (docs/cli.md, "Runtime settings") travel with the
/// build, in <c>probe.runtimeconfig.json</c> beside <c>probe.dll</c>, so that <c>dotnet probe.dll</c>,
/// the installed tool and the container image all run hot code with a profile from a run's first second.
/// </summary>
[Collection(RealTimeCollection.Name)]
public class RuntimeSettingsTests
{
    [Fact]
    public void Build_RuntimeConfiguration_QuickJitAndNoTieringDelay()
    {
        string file = Path.Combine(AppContext.BaseDirectory, "probe.runtimeconfig.json");
        using JsonDocument config = JsonDocument.Parse(File.ReadAllText(file));
        JsonElement properties = config.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(properties.GetProperty("System.Runtime.TieredCompilation.QuickJit").GetBoolean());
        Assert.Equal(0, properties.GetProperty("System.Runtime.TieredCompilation.CallCountingDelayMs").GetInt32());
    }
}
