using Probe.Engine.Results;
using Probe.Engine.Timing;

namespace Probe.Engine.Core;

/// <summary>
/// What a <see cref="ScenarioContext"/> needs of the scenario it runs in: the running scenario
/// (<c>Running.ScenarioRuntime</c>) implements it, so that Core, which users build scenarios from,
/// does not depend on the machinery that runs them, nor on where step figures are kept.
/// </summary>
internal interface IIterationHost
{
    string ScenarioName { get; }

    IReadOnlyDictionary<string, object?> Data { get; }

    /// <summary>Cancelled when in-flight iterations must stop.</summary>
    CancellationToken Cancellation { get; }

    ScenarioLog Log { get; }

    Timestamps Clock { get; }

    /// <summary>Whether an iteration meant to start at <paramref name="intendedTimestamp"/> counts (it began after the warm-up).</summary>
    bool Counts(long intendedTimestamp);

    /// <summary>The result of a step or iteration that threw <paramref name="e"/>.</summary>
    StepResult ResultOf(Exception e);

    /// <summary>Records one step's result with its latency (from the intended start) and service time, in nanoseconds.</summary>
    void RecordStep(string name, in StepResult result, long latencyNs, long serviceNs);
}
