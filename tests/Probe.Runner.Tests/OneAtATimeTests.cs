using System.Reflection;
using Probe.Runner.Tests.Synthetics;

namespace Probe.Runner.Tests;

/// <summary>
/// A test class left out of the one collection would run beside the timing-sensitive runs and skew
/// them; the alert-delivery test is the one exception, and it runs alone after the others
/// (see <see cref="AlertDeliveryCollection"/>).
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class OneAtATimeTests
{
    [Fact]
    public void EveryTestClass_ButTheAlertDeliveryTest_RunsInTheOneCollection()
    {
        Type[] outside = typeof(OneAtATimeTests).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))
            .Where(t => CollectionOf(t) != RealTimeCollection.Name)
            .ToArray();

        Assert.Equal([typeof(AlertDeliveryTests)], outside);
    }

    [Fact]
    public void TheAlertDeliveryTest_RunsAloneAfterTheOthers()
    {
        Assert.Equal(AlertDeliveryCollection.Name, CollectionOf(typeof(AlertDeliveryTests)));
        CollectionDefinitionAttribute definition = typeof(AlertDeliveryCollection).GetCustomAttribute<CollectionDefinitionAttribute>()!;
        Assert.True(definition.DisableParallelization, "xUnit runs a collection beside the others unless it disables parallelization");
    }

    private static string? CollectionOf(Type test) =>
        test.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string;
}
