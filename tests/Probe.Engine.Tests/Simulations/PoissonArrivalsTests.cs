using Probe.Engine.Simulations;

namespace Probe.Engine.Tests.Simulations;

/// <summary>Poisson arrivals: the rate of the phase, exponential gaps, and the same times for the same seed.</summary>
public class PoissonArrivalsTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Inject_Poisson_KeepsTheRateWithExponentialGaps()
    {
        OpenPhase phase = Compile(Simulation.Inject(100, Second, TimeSpan.FromSeconds(200)) with { Arrivals = ArrivalPattern.Poisson, Seed = 7 });

        // 20,000 expected: a Poisson count has σ = √20000 ≈ 141; four σ either way.
        Assert.InRange(phase.TotalIterations, 20_000 - 566, 20_000 + 566);
        double[] gaps = Gaps(phase);
        double mean = gaps.Average();
        double sd = Math.Sqrt(gaps.Select(g => (g - mean) * (g - mean)).Average());
        Assert.InRange(mean, 0.0095, 0.0105);       // 1 / 100 per second
        Assert.InRange(sd / mean, 0.95, 1.05);      // exponential: the deviation equals the mean (even spacing: 0)
        Assert.InRange(gaps.Count(g => g > 0.01) / (double)gaps.Length, Math.Exp(-1) - 0.02, Math.Exp(-1) + 0.02); // P(gap > mean) = 1/e
        Assert.True(phase.Poisson);
    }

    [Fact]
    public void Inject_SameSeed_SameTimes_OtherSeed_OtherTimes()
    {
        LoadSimulation poisson = Simulation.Inject(50, Second, TimeSpan.FromSeconds(10)) with { Arrivals = ArrivalPattern.Poisson, Seed = 3 };
        OpenPhase a = Compile(poisson), b = Compile(poisson), c = Compile(poisson with { Seed = 4 });

        Assert.Equal(Times(a), Times(b));
        Assert.NotEqual(Times(a), Times(c));
    }

    [Fact]
    public void RampingInject_Poisson_FollowsTheRamp()
    {
        // 0 → 200/s over 100 s: 10,000 expected, a quarter of them in the first half.
        LoadPlan plan = LoadPlan.Compile([Simulation.RampingInject(200, Second, TimeSpan.FromSeconds(100)) with { Arrivals = ArrivalPattern.Poisson, Seed = 1 }]);
        var phase = (OpenPhase)plan.Phases[0];

        Assert.InRange(phase.TotalIterations, 10_000 - 400, 10_000 + 400);
        double firstHalf = Times(phase).Count(t => t < TimeSpan.FromSeconds(50)) / (double)phase.TotalIterations;
        Assert.InRange(firstHalf, 0.23, 0.27);
    }

    [Fact]
    public void IterationsForInject_Poisson_StartsExactlyThatManyAndLastsUntilTheLast()
    {
        OpenPhase phase = Compile(Simulation.IterationsForInject(5, Second, 40) with { Arrivals = ArrivalPattern.Poisson, Seed = 2 });

        Assert.Equal(40, phase.TotalIterations);
        Assert.True(phase.During > phase.IntendedStart(39), "the phase lasts until its last arrival is due");
        Assert.Equal(Times(phase).Order(), Times(phase));
    }

    private static OpenPhase Compile(LoadSimulation simulation) => (OpenPhase)LoadPlan.Compile([simulation]).Phases[0];

    private static TimeSpan[] Times(OpenPhase phase) => Enumerable.Range(0, (int)phase.TotalIterations).Select(k => phase.IntendedStart(k)).ToArray();

    private static double[] Gaps(OpenPhase phase)
    {
        TimeSpan[] times = Times(phase);
        return times.Zip(times.Skip(1), (a, b) => (b - a).TotalSeconds).ToArray();
    }
}
