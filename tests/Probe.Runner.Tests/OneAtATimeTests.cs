using System.Reflection;
using Probe.Runner.Tests.Synthetics;

namespace Probe.Runner.Tests;

/// <summary>
/// A test class left out of the one collection would run beside the timing-sensitive runs and skew
/// them; only the alert-delivery test may, on purpose (see <see cref="RealTimeCollection"/>).
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

    private static string? CollectionOf(Type test) =>
        test.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType == typeof(CollectionAttribute))?.ConstructorArguments[0].Value as string;
}
