using System.Text;
using System.Text.Json.Nodes;
using Probe.Scenarios.Suite;

using Probe.TestUtils;

namespace Probe.Scenarios.Tests.Suite;

public class SuiteFuzzTests
{
    private static readonly JsonNode?[] Replacements =
    [
        null, JsonValue.Create(0), JsonValue.Create(-1), JsonValue.Create(1e300), JsonValue.Create(true), JsonValue.Create(""),
        JsonValue.Create("2m→"), JsonValue.Create("${env:"), JsonValue.Create("p95 <"), JsonValue.Create("status =="), JsonValue.Create("/"),
        JsonValue.Create("50/0s"), JsonValue.Create("9999999999999999d"), JsonValue.Create("\u0000"), new JsonArray(), new JsonObject(),
        new JsonObject { ["inject"] = new JsonObject() }, new JsonArray(JsonValue.Create(1), JsonValue.Create("x")),
    ];

    [Fact]
    public void Parse_TenThousandMutationsOfTheDefaultSuite_NeverThrowAnythingButSuiteException()
    {
        string original = File.ReadAllText(Path.Combine(Repository.Root, "scenarios.json"));
        var random = new Random(20261122);
        int rejected = 0;
        for (int i = 0; i < 10_000; i++)
        {
            string mutant = i % 2 == 0 ? MutateText(original, random) : MutateTree(original, random);
            try
            {
                SuiteLoader.Parse(Encoding.UTF8.GetBytes(mutant), "fuzz.json");
            }
            catch (SuiteException e)
            {
                Assert.NotEmpty(e.Errors);
                Assert.All(e.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} threw {e.GetType().Name}: {e.Message}\n{mutant}");
            }
        }

        Assert.InRange(rejected, 5_000, 10_000);
    }

    [Fact]
    public void Parse_TenThousandByteMutations_EncodingsNulsAndBoms_NeverThrowAnythingButSuiteException()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(Repository.Root, "scenarios.json"));
        byte[][] inserts = [[0x00], [0xFF], [0xFE], [0xC3], [0xE2, 0x82], [0xEF, 0xBB, 0xBF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray()];
        var random = new Random(20261201);
        for (int i = 0; i < 10_000; i++)
        {
            var mutant = new List<byte>(original);
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                int at = random.Next(mutant.Count);
                if (random.Next(3) == 0)
                {
                    mutant[at] = (byte)random.Next(256);
                }
                else
                {
                    mutant.InsertRange(at, inserts[random.Next(inserts.Length)]);
                }
            }

            if (i % 10 == 0)
            {
                mutant.InsertRange(0, [0xEF, 0xBB, 0xBF]);
            }

            try
            {
                SuiteLoader.Parse(mutant.ToArray(), "fuzz.json");
            }
            catch (SuiteException e)
            {
                Assert.All(e.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
            }
            catch (Exception e)
            {
                Assert.Fail($"byte mutation {i} threw {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
        }
    }

    private static string MutateText(string text, Random random)
    {
        var sb = new StringBuilder(text);
        for (int n = random.Next(1, 4); n > 0; n--)
        {
            int at = random.Next(sb.Length);
            switch (random.Next(4))
            {
                case 0:
                    sb.Remove(at, Math.Min(sb.Length - at, random.Next(1, 8)));
                    break;
                case 1:
                    sb.Insert(at, "{}[],:\"0-.eé→$\\ "[random.Next(16)]);
                    break;
                case 2:
                    int from = random.Next(sb.Length);
                    sb.Insert(at, sb.ToString(from, Math.Min(sb.Length - from, random.Next(1, 40))));
                    break;
                default:
                    sb[at] = (char)random.Next(32, 127);
                    break;
            }
        }

        return sb.ToString();
    }

    private static string MutateTree(string text, Random random)
    {
        JsonNode root = JsonNode.Parse(text)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        for (int n = random.Next(1, 3); n > 0; n--)
        {
            JsonNode target = nodes[random.Next(1, nodes.Count)];
            JsonNode? replacement = Replacements[random.Next(Replacements.Length)]?.DeepClone();
            switch (target.Parent)
            {
                case JsonObject o:
                    string key = o.First(p => ReferenceEquals(p.Value, target)).Key;
                    if (random.Next(4) == 0)
                    {
                        o.Remove(key);
                        o[key + "x"] = replacement;
                    }
                    else
                    {
                        o[key] = replacement;
                    }

                    break;
                case JsonArray a:
                    a[a.IndexOf(target)] = replacement;
                    break;
            }

            nodes.Clear();
            Collect(root, nodes);
        }

        return root.ToJsonString();
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is null)
        {
            return;
        }

        into.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var p in o.ToArray())
                {
                    Collect(p.Value, into);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? item in a.ToArray())
                {
                    Collect(item, into);
                }

                break;
        }
    }
}
