using System.Text.Json;

namespace Probe.Scenarios.Suite;

/// <summary>Reads <c>golden</c>: named sets of questions with the facts and sources their answers must have.</summary>
internal static class GoldenReader
{
    public static IReadOnlyDictionary<string, IReadOnlyList<GoldenQuestion>> Read(SuiteNode root)
    {
        var sets = new Dictionary<string, IReadOnlyList<GoldenQuestion>>(StringComparer.Ordinal);
        if (root.Field("golden") is not { } node || !node.IsObjectWith("the golden-question sets", node.Members().Select(m => m.Name).ToArray()))
        {
            return sets;
        }

        foreach ((string name, SuiteNode set) in node.Members())
        {
            var questions = new List<GoldenQuestion>();
            foreach (SuiteNode q in set.Items($"golden set '{name}'"))
            {
                if (!q.IsObjectWith("a golden question", "question", "facts", "sources"))
                {
                    continue;
                }

                string? question = q.String("question", required: true, example: "\"How much is a haircut?\"");
                IReadOnlyList<string> facts = q.Strings("facts");
                if (question is not null)
                {
                    questions.Add(new GoldenQuestion(question, facts, q.Strings("sources")));
                }
            }

            if (set.Kind == JsonValueKind.Array && questions.Count == 0 && set.Element.GetArrayLength() == 0)
            {
                set.Error($"golden set '{name}' has no questions");
            }

            sets[name] = questions;
        }

        return sets;
    }
}
