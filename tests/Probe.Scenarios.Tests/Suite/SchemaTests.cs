using System.Text.Json;
using Probe.Browser;
using Probe.Scenarios.Steps;
using Probe.Scenarios.Suite;
using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Suite;

/// <summary>scenarios.schema.json is for editors; the loader is the truth. These keep the two naming the same fields.</summary>
public class SchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "scenarios.schema.json"))).RootElement;

    /// <summary>The schema is the probe tool's, which carries the browser step (Probe.Browser).</summary>
    public SchemaTests() => BrowserSteps.Register();

    public static TheoryData<string, string[]> Objects => new()
    {
        { "properties", SuiteLoader.RootFields },
        { "properties.targets.additionalProperties.properties", TargetReader.Fields },
        { "properties.scenarios.additionalProperties.properties", ScenarioReader.Fields },
        { "properties.scenarios.additionalProperties.properties.steps.items.properties", StepReader.Fields },
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

    public static TheoryData<string> StepKindNames => new(StepKinds.Names);

    /// <summary>
    /// Each step kind's schema fragment (in its folder) is its part of scenarios.schema.json, and it
    /// names exactly the fields the kind reads. PROBE_UPDATE_SCHEMA=1 writes the fragments into the
    /// file: adding a kind is its folder, then that.
    /// </summary>
    [Theory]
    [MemberData(nameof(StepKindNames))]
    public void Schema_StepKind_IsTheKindsFragmentAndNamesItsFields(string name)
    {
        StepKind kind = StepKinds.All.Single(k => k.Name == name);
        string file = Path.Combine(Repository.Root, "scenarios.schema.json");
        if (Environment.GetEnvironmentVariable("PROBE_UPDATE_SCHEMA") == "1")
        {
            File.WriteAllText(file, SuiteSchema.WithStepKinds(File.ReadAllText(file)));
        }

        JsonElement steps = JsonDocument.Parse(File.ReadAllText(file)).RootElement
            .GetProperty("properties").GetProperty("scenarios").GetProperty("additionalProperties").GetProperty("properties").GetProperty("steps").GetProperty("items").GetProperty("properties");
        JsonElement fragment = JsonDocument.Parse(kind.Schema).RootElement;

        Assert.True(JsonElement.DeepEquals(fragment, steps.GetProperty(name)), $"scenarios.schema.json's {name} step differs from {kind.GetType().Name}.Schema; run the tests with PROBE_UPDATE_SCHEMA=1");
        Assert.Equal(kind.Fields.Order(), fragment.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public void Schema_LoadPhases_AreTheKindsTheLoaderAccepts()
    {
        JsonElement phases = Schema.GetProperty("properties").GetProperty("scenarios").GetProperty("additionalProperties").GetProperty("properties").GetProperty("load").GetProperty("oneOf")[0].GetProperty("oneOf");
        // Every kind, and a k6 stage standing alone ({"duration": "2m", "target": 10}).
        Assert.Equal(LoadReader.Kinds.Append("duration").Order(), phases.EnumerateArray().Select(p => p.GetProperty("required")[0].GetString()).Order());
    }
}
