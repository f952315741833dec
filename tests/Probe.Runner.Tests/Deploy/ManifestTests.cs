using System.CommandLine;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Probe.TestUtils;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace Probe.Runner.Tests.Deploy;

/// <summary>
/// deploy/ is written, not run (no Kubernetes here): every manifest must parse as YAML and name only
/// the image the Dockerfile builds and commands and options that probe has; references between
/// manifests must resolve; the Prometheus configuration must pass promtool.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class ManifestTests
{
    private static readonly string Deploy = Path.Combine(Repository.Root, "deploy");

    public static TheoryData<string> Manifests => new(Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Manifests))]
    public void Manifest_Containers_UseTheProbeImageAndRealCommandsAndOptions(string file)
    {
        YamlMappingNode[] documents = Load(Path.Combine(Deploy, "kubernetes", file));
        Assert.NotEmpty(documents);
        RootCommand probe = Program.Commands();
        string image = $"probe:{Version()}";
        foreach (YamlMappingNode container in documents.SelectMany(Containers))
        {
            Assert.Equal(image, Scalar(container, "image"));
            string[] args = ((YamlSequenceNode)container.Children["args"]).Children.Select(a => ((YamlScalarNode)a).Value!).ToArray();
            Command command = Assert.Single(probe.Subcommands, c => c.Name == args[0]);
            var options = command.Options.SelectMany(o => o.Aliases.Append(o.Name)).ToHashSet(StringComparer.Ordinal);
            foreach (string option in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            {
                Assert.True(options.Contains(option), $"{file}: 'probe {args[0]}' has no option {option}");
            }

            var env = container.Children.TryGetValue("env", out YamlNode? list)
                ? ((YamlSequenceNode)list).Children.Select(e => Scalar((YamlMappingNode)e, "name")).ToHashSet(StringComparer.Ordinal)
                : [];
            foreach (Match used in args.SelectMany(a => Regex.Matches(a, @"\$\(([A-Z_]+)\)")))
            {
                string name = used.Groups[1].Value;
                Assert.True(env.Contains(name) || name == "JOB_COMPLETION_INDEX", $"{file}: $({name}) is not defined in the container's env");
            }
        }
    }

    [Fact]
    public void IndexedJob_ShardCountMatchesItsCompletions()
    {
        YamlMappingNode job = Load(Path.Combine(Deploy, "kubernetes", "load-test-job.yaml"))
            .First(d => Scalar(d, "kind") == "Job" && ((YamlMappingNode)d.Children["spec"]).Children.ContainsKey("completionMode"));
        var spec = (YamlMappingNode)job.Children["spec"];
        Assert.Equal("Indexed", Scalar(spec, "completionMode"));
        string[] args = ((YamlSequenceNode)Containers(job).Single().Children["args"]).Children.Select(a => ((YamlScalarNode)a).Value!).ToArray();
        string shard = args[Array.IndexOf(args, "--shard") + 1];
        Assert.Equal($"$(JOB_COMPLETION_INDEX)/{Scalar(spec, "completions")}", shard);
        Assert.Equal(Scalar(spec, "completions"), Scalar(spec, "parallelism"));
    }

    [Fact]
    public void Manifests_SecretsAndConfigMapsTheyUse_AreDefined()
    {
        YamlMappingNode[] all = Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").SelectMany(Load).ToArray();
        YamlMappingNode secret = all.Single(d => Scalar(d, "kind") == "Secret");
        var keys = ((YamlMappingNode)secret.Children["stringData"]).Children.Keys.Select(k => ((YamlScalarNode)k).Value!).ToHashSet();
        string secretName = Scalar((YamlMappingNode)secret.Children["metadata"], "name");
        string configMap = Scalar((YamlMappingNode)all.Single(d => Scalar(d, "kind") == "ConfigMap").Children["metadata"], "name");
        string text = string.Join("\n", Directory.GetFiles(Path.Combine(Deploy, "kubernetes"), "*.yaml").Select(File.ReadAllText));
        foreach (Match m in Regex.Matches(text, @"secretKeyRef: \{ name: ([\w-]+), key: ([\w-]+) \}"))
        {
            Assert.Equal(secretName, m.Groups[1].Value);
            Assert.Contains(m.Groups[2].Value, keys);
        }

        Assert.All(Regex.Matches(text, @"configMap: \{ name: ([\w-]+) \}"), m => Assert.Equal(configMap, m.Groups[1].Value));
        Assert.Contains("metrics-token", keys);
    }

    [Fact]
    public void SuiteInTheConfigMap_IsAValidSuite()
    {
        YamlMappingNode map = Load(Path.Combine(Deploy, "kubernetes", "suite-configmap.yaml")).Single();
        string json = Scalar((YamlMappingNode)map.Children["data"], "scenarios.json");
        Probe.Scenarios.Suite.SuiteDefinition suite = Probe.Scenarios.Suite.SuiteLoader.Parse(json);
        Assert.Contains(suite.Scenarios, s => s.Schedule is not null);
        Assert.Contains(suite.Scenarios, s => s.Name == "ramp-50");
    }

    [Fact]
    public void Dockerfile_PublishesTheProbeToolAndRunsIt()
    {
        string docker = File.ReadAllText(Path.Combine(Deploy, "Dockerfile"));
        Assert.Contains("dotnet publish src/Runner/Probe.Runner.csproj", docker, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"/app/probe.dll\"]", docker, StringComparison.Ordinal);
        Assert.Contains($"-t probe:{Version()}", docker, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "src", "Runner", "Probe.Runner.csproj")));
    }

    [Fact]
    public async Task PrometheusConfig_PassesPromtool()
    {
        var (code, output) = await Promtool.CheckConfigAsync(Path.Combine(Deploy, "prometheus", "prometheus.yml"));
        Assert.True(code == 0, output);
    }

    private static string Version() =>
        XDocument.Load(Path.Combine(Repository.Root, "src", "Runner", "Probe.Runner.csproj")).Descendants("Version").Single().Value;

    private static YamlMappingNode[] Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(file);
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToArray();
    }

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode document)
    {
        if (Scalar(document, "kind") is not ("Job" or "Deployment"))
        {
            return [];
        }

        var template = (YamlMappingNode)((YamlMappingNode)document.Children["spec"]).Children["template"];
        var podSpec = (YamlMappingNode)template.Children["spec"];
        return ((YamlSequenceNode)podSpec.Children["containers"]).Children.Cast<YamlMappingNode>();
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
