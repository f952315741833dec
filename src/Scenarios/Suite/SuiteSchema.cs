using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Probe.Scenarios.Steps;

namespace Probe.Scenarios.Suite;

/// <summary>scenarios.schema.json's step part, made from the step kinds' own fragments (<see cref="StepKind.Schema"/>).</summary>
internal static class SuiteSchema
{
    /// <summary><paramref name="schema"/> (the file's text) with every step kind's fragment in place and the kinds named in the step's description.</summary>
    public static string WithStepKinds(string schema)
    {
        JsonNode root = JsonNode.Parse(schema)!;
        JsonObject step = root["properties"]!["scenarios"]!["additionalProperties"]!["properties"]!["steps"]!["items"]!.AsObject();
        JsonObject properties = step["properties"]!.AsObject();
        foreach (StepKind kind in StepKinds.All)
        {
            properties[kind.Name] = JsonNode.Parse(kind.Schema);
        }

        step["description"] = $"A step: a name and exactly one kind ({string.Join(", ", StepKinds.Names)}).";
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
