using System.Text.Json;
using Probe.Scenarios.Suite;

using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Suite;

/// <summary>scenarios.schema.json is for editors; the loader is the truth. These keep the two naming the same fields.</summary>
public class SchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "scenarios.schema.json"))).RootElement;

    public static TheoryData<string, string[]> Objects => new()
    {
        { "properties", SuiteLoader.RootFields },
        { "properties.targets.additionalProperties.properties", TargetReader.Fields },
        { "properties.scenarios.additionalProperties.properties", ScenarioReader.Fields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties", StepReader.Fields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties.http.properties", StepReader.HttpFields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties.rag.properties", StepReader.RagFields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties.tls.properties", StepReader.TlsFields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties.postgres.properties", StepReader.PostgresFields },
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Schema_NamesExactlyTheFieldsTheLoaderAccepts(string path, string[] fields)
    {
        JsonElement at = Schema;
        foreach (string part in path.Split('.'))
        {
            at = at.GetProperty(part);
        }

        Assert.Equal(fields.Order(), at.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void Schema_LoadPhases_AreTheKindsTheLoaderAccepts()
    {
        JsonElement phases = Schema.GetProperty("properties").GetProperty("scenarios").GetProperty("additionalProperties").GetProperty("properties").GetProperty("load").GetProperty("oneOf")[0].GetProperty("oneOf");
        Assert.Equal(LoadReader.Kinds.Order(), phases.EnumerateArray().Select(p => p.GetProperty("required")[0].GetString()).Order());
    }
}
