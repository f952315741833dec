using Probe.Exporter.Slo;

namespace Probe.Exporter.Tests.Slo;

public class SloMathTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(1000, 1000, 0.999, 0, 1)]
    [InlineData(999, 1000, 0.999, 1, 0)]
    [InlineData(9995, 10000, 0.999, 0.5, 0.5)]
    [InlineData(0, 100, 0.999, 1000, -999)]
    [InlineData(9856, 10000, 0.999, 14.4, -13.4)]
    public void BurnRateAndBudget_FromTheSli(long good, long valid, double objective, double burn, double remaining)
    {
        var sli = new Sli(good, valid);
        Assert.Equal(burn, SloMath.BurnRate(sli, objective), 6);
        Assert.Equal(remaining, SloMath.ErrorBudgetRemaining(sli, objective), 6);
    }

    [Fact]
    public void NoEvents_AreNoEvidenceOfFailure()
    {
        Assert.Equal(1, new Sli(0, 0).Ratio);
        Assert.Equal(0, SloMath.BurnRate(new Sli(0, 0), 0.99));
        Assert.Equal(1, SloMath.ErrorBudgetRemaining(new Sli(0, 0), 0.99));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.0)]
    [InlineData(99.9)]
    public void Objective_OutsideZeroToOne_Throws(double objective) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SloMath.BurnRate(new Sli(1, 1), objective));

    [Fact]
    public void Availability_PerRegionAndAcrossRegions()
    {
        CheckRecord[] records = [Run(0, "us-east", true), Run(0, "eu-west", false), Run(1, "us-east", true), Run(1, "eu-west", true)];

        Assert.Equal(new Sli(3, 4), SloMath.Availability(records));
        Assert.Equal(new Sli(2, 2), SloMath.Availability(records, "us-east"));
        Assert.Equal(new Sli(1, 2), SloMath.Availability(records, "eu-west"));
    }

    [Fact]
    public void Latency_CountsOnlyFastSuccesses()
    {
        CheckRecord[] records = [Run(0, "a", true, 100), Run(0, "a", true, 600), Run(0, "a", false, 50)];
        Assert.Equal(new Sli(1, 3), SloMath.Latency(records, TimeSpan.FromMilliseconds(500)));
    }

    [Fact]
    public void Timeslices_AMinuteIsGoodWhenTwoOfThreeRegionsSucceeded()
    {
        CheckRecord[] records =
        [
            // minute 0: one region of three fails — still good with a quorum of 2
            Run(0, "us-east", true), Run(0, "eu-west", false), Run(0, "ap-south", true),
            // minute 1: two regions fail — bad
            Run(1, "us-east", false), Run(1, "eu-west", false), Run(1, "ap-south", true),
            // minute 2: a region fails one of its two runs — that region counts as failing
            Run(2, "us-east", true), Run(2.5, "us-east", false), Run(2, "eu-west", true), Run(2, "ap-south", false),
            // minute 3: only one region ran, and it succeeded: good (quorum capped by the regions present)
            Run(3, "eu-west", true),
        ];

        Assert.Equal(new Sli(2, 4), SloMath.Timeslices(records, quorum: 2));
        Assert.Equal(new Sli(1, 4), SloMath.Timeslices(records, quorum: 3));
        Assert.Equal(new Sli(4, 4), SloMath.Timeslices(records, quorum: 1));
    }

    [Fact]
    public void BurnRates_OverEachWindowEndingNow()
    {
        // Three hours of one run a minute: the last 10 minutes all failed.
        var records = Enumerable.Range(0, 180).Select(m => Run(m, "a", m < 170)).ToArray();

        var rates = SloMath.BurnRates(records, 0.99, T0.AddMinutes(179.5), [TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromHours(6)]);

        Assert.Equal(100, rates[TimeSpan.FromMinutes(5)], 6);
        Assert.Equal(10.0 / 60 / 0.01, rates[TimeSpan.FromHours(1)], 6);
        Assert.Equal(10.0 / 180 / 0.01, rates[TimeSpan.FromHours(6)], 6);
    }

    private static CheckRecord Run(double minute, string region, bool ok, double ms = 100) =>
        new(T0.AddMinutes(minute), region, ok, TimeSpan.FromMilliseconds(ms));

    [Fact]
    public void MinuteTallies_OccurrencesPerRegionAndTimeslicesWithAQuorum()
    {
        // Minute 0: all three regions good. Minute 1: ap-south fails once. Minute 2: two regions fail.
        MinuteTally[] tallies =
        [
            new(0, "us-east", 2, 2, 2), new(0, "eu-west", 2, 2, 1), new(0, "ap-south", 2, 2, 2),
            new(1, "us-east", 2, 2, 2), new(1, "eu-west", 2, 2, 2), new(1, "ap-south", 2, 1, 1),
            new(2, "us-east", 2, 2, 0), new(2, "eu-west", 2, 0, 0), new(2, "ap-south", 2, 1, 1),
        ];

        Assert.Equal(new Sli(14, 18), SloMath.Availability(tallies));
        Assert.Equal(new Sli(4, 6), SloMath.Availability(tallies, "ap-south"));
        Assert.Equal(new Sli(11, 18), SloMath.Latency(tallies));
        Assert.Equal(new Sli(4, 6), SloMath.Latency(tallies, "us-east"));
        Assert.Equal(new Sli(2, 3), SloMath.Timeslices(tallies, quorum: 2));
        Assert.Equal(new Sli(1, 3), SloMath.Timeslices(tallies, quorum: 3));
    }
}
