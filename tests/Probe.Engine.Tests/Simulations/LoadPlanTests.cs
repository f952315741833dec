using Probe.Engine.Simulations;

namespace Probe.Engine.Tests.Simulations;

public class LoadPlanTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void CopiesAt_SeedsK6Profile_MatchesTheRampAtEverySecond()
    {
        LoadPlan plan = LoadPlan.Compile(Simulation.Stages("2m→10, 5m→50, 2m→0"));

        Assert.Equal(TimeSpan.FromMinutes(9), plan.Duration);
        for (int t = 0; t <= 540; t++)
        {
            int expected = t switch
            {
                < 120 => 10 * t / 120,
                < 420 => 10 + (40 * (t - 120) / 300),
                < 540 => 50 - (50 * (t - 420) / 120),
                _ => 0,
            };
            Assert.True(expected == plan.CopiesAt(TimeSpan.FromSeconds(t)), $"second {t}: expected {expected}, got {plan.CopiesAt(TimeSpan.FromSeconds(t))}");
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(11, 0)]
    [InlineData(12, 1)]
    [InlineData(119, 9)]
    [InlineData(120, 10)]
    [InlineData(127, 10)]
    [InlineData(128, 11)]
    [InlineData(419, 49)]
    [InlineData(420, 50)]
    [InlineData(422, 50)]
    [InlineData(423, 49)]
    [InlineData(539, 1)]
    [InlineData(540, 0)]
    public void CopiesAt_SeedsK6Profile_KnownPoints(int second, int copies)
    {
        LoadPlan plan = LoadPlan.Compile(Simulation.Stages("2m->10, 5m->50, 2m->0"));
        Assert.Equal(copies, plan.CopiesAt(TimeSpan.FromSeconds(second)));
    }

    [Fact]
    public void NextChangeAfter_WalkingARamp_VisitsExactlyEveryChange()
    {
        var phase = (ClosedPhase)Simulation.RampingConstant(50, TimeSpan.FromMinutes(5)).Compile(new PhaseStart(10, 0));
        var changes = new List<(TimeSpan At, int Copies)>();
        TimeSpan at = TimeSpan.Zero;
        while (phase.NextChangeAfter(at) is { } next)
        {
            Assert.NotEqual(phase.CopiesAt(next - TimeSpan.FromTicks(1)), phase.CopiesAt(next));
            changes.Add((next, phase.CopiesAt(next)));
            at = next;
        }

        Assert.Equal(Enumerable.Range(11, 40), changes.Select(c => c.Copies));
        Assert.Equal(TimeSpan.FromMinutes(5), changes[^1].At);
        Assert.Equal(TimeSpan.FromSeconds(7.5), changes[0].At);
    }

    [Fact]
    public void DueBy_RampingInjectFromZeroTo100PerSecond_StartsTenSecondsPlusFiveInEachSecond()
    {
        LoadPlan plan = LoadPlan.Compile([Simulation.RampingInject(100, Second, TimeSpan.FromSeconds(10))]);
        var phase = (OpenPhase)plan.Phases[0];

        Assert.Equal(500, phase.TotalIterations);
        for (int s = 0; s < 10; s++)
        {
            long started = phase.DueBy(TimeSpan.FromSeconds(s + 1) - TimeSpan.FromTicks(1)) - phase.DueBy(TimeSpan.FromSeconds(s) - TimeSpan.FromTicks(1));
            Assert.True((10 * s) + 5 == started, $"second {s}: expected {(10 * s) + 5} iterations, got {started}");
            Assert.Equal(10.0 * s, plan.RateAt(TimeSpan.FromSeconds(s)), 9);
        }
    }

    [Fact]
    public void IntendedStart_Inject_SpreadsIterationsEvenlyInsteadOfBatchingThem()
    {
        var phase = (OpenPhase)LoadPlan.Compile([Simulation.Inject(100, Second, TimeSpan.FromSeconds(3))]).Phases[0];

        Assert.Equal(300, phase.TotalIterations);
        for (long k = 0; k < phase.TotalIterations; k++)
        {
            Assert.Equal(TimeSpan.FromMilliseconds(10 * k), phase.IntendedStart(k));
        }
    }

    [Fact]
    public void IntendedStart_InjectPerInterval_IsExactForRatesThatDoNotDivideTheInterval()
    {
        var phase = (OpenPhase)LoadPlan.Compile([Simulation.Inject(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2))]).Phases[0];

        Assert.Equal(6, phase.TotalIterations);
        Assert.Equal(TimeSpan.FromTicks(3_333_333), phase.IntendedStart(1));
        Assert.Equal(TimeSpan.FromTicks(16_666_666), phase.IntendedStart(5));
    }

    [Fact]
    public void Compile_RampingInjectAfterInject_StartsFromThePreviousRate()
    {
        LoadPlan plan = LoadPlan.Compile(
        [
            Simulation.Inject(50, Second, TimeSpan.FromSeconds(10)),
            Simulation.RampingInject(100, Second, TimeSpan.FromSeconds(10)),
        ]);

        Assert.Equal(50, plan.RateAt(TimeSpan.FromSeconds(10)), 9);
        Assert.Equal(75, plan.RateAt(TimeSpan.FromSeconds(15)), 9);
        Assert.Equal(750, ((OpenPhase)plan.Phases[1]).TotalIterations);
    }

    [Fact]
    public void Compile_RampAfterPauseOrOtherModel_StartsFromZero()
    {
        LoadPlan plan = LoadPlan.Compile(
        [
            Simulation.KeepConstant(20, TimeSpan.FromSeconds(10)),
            Simulation.Pause(TimeSpan.FromSeconds(5)),
            Simulation.RampingConstant(10, TimeSpan.FromSeconds(10)),
            Simulation.RampingInject(10, Second, TimeSpan.FromSeconds(10)),
        ]);

        Assert.Equal(20, plan.CopiesAt(TimeSpan.FromSeconds(9)));
        Assert.Equal(0, plan.CopiesAt(TimeSpan.FromSeconds(12)));
        Assert.Equal(0, plan.CopiesAt(TimeSpan.FromSeconds(15)));
        Assert.Equal(5, plan.CopiesAt(TimeSpan.FromSeconds(20)));
        Assert.Equal(0, plan.RateAt(TimeSpan.FromSeconds(25)), 9);
        Assert.Equal(5, plan.RateAt(TimeSpan.FromSeconds(30)), 9);
        Assert.Equal(TimeSpan.FromSeconds(35), plan.Duration);
    }

    [Fact]
    public void During_IterationsForInject_IsTheTimeItTakesToStartThemAll()
    {
        IterationsForInjectSimulation simulation = Simulation.IterationsForInject(20, Second, 100);
        Assert.Equal(TimeSpan.FromSeconds(5), simulation.During);
        Assert.Equal(100, ((OpenPhase)LoadPlan.Compile([simulation]).Phases[0]).TotalIterations);
    }

    [Fact]
    public void Duration_IterationsForConstant_IsUnknownInAdvance()
    {
        Assert.Null(LoadPlan.Compile([Simulation.IterationsForConstant(4, 100)]).Duration);
    }

    [Theory]
    [InlineData("2m→10, 5m", "stage 2 '5m' is not 'duration→copies' (for example 2m→10)")]
    [InlineData("2x→10", "stage 1 '2x→10': unknown unit 'x' in '2x': use ns, us, ms, s, m, h or d")]
    [InlineData("2m→ten", "stage 1 '2m→ten': expected a whole number of copies after the arrow, found 'ten'")]
    [InlineData("0s→10", "stage 1 '0s→10': the duration must be greater than zero")]
    [InlineData("2m→-1", "stage 1 '2m→-1': expected a whole number of copies after the arrow, found '-1'")]
    public void Stages_BrokenLine_SaysWhichStageAndWhy(string stages, string message)
    {
        var e = Assert.Throws<FormatException>(() => Simulation.Stages(stages));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Constructors_OutOfRangeArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.Inject(-1, Second, Second));
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.Inject(1, TimeSpan.Zero, Second));
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.KeepConstant(1, TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => Simulation.IterationsForConstant(0, 1));
        Assert.Throws<ArgumentException>(() => LoadPlan.Compile([]));
    }
}
