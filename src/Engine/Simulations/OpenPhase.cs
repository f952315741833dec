namespace Probe.Engine.Simulations;

/// <summary>
/// An open-model phase. The arrival rate moves linearly from <c>r0</c> to <c>r1</c> (per second) over
/// the phase, so the iterations due by time t are N(t) = r0·t + (r1 − r0)·t²/(2D), and iteration k
/// (0-based) is intended to start at N⁻¹(k). Iterations are evenly spread, never batched per interval —
/// or, with Poisson arrivals, at N⁻¹(u_k) where u_k is a sum of k + 1 draws from Exp(1): a Poisson
/// process of the same (possibly changing) rate, seeded so that a run can be repeated exactly.
/// </summary>
internal sealed class OpenPhase : LoadPhase
{
    private readonly double _r0PerTick;
    private readonly double _slopePerTick2;
    private readonly long _constantRate;
    private readonly long _constantIntervalTicks;
    private readonly double[]? _arrivals;

    private OpenPhase(TimeSpan during, double r0PerSecond, double r1PerSecond, long totalIterations, long constantRate, long constantIntervalTicks, double[]? arrivals = null)
        : base(during)
    {
        _arrivals = arrivals;
        StartRatePerSecond = r0PerSecond;
        EndRatePerSecond = r1PerSecond;
        TotalIterations = totalIterations;
        _r0PerTick = r0PerSecond / TimeSpan.TicksPerSecond;
        _slopePerTick2 = (r1PerSecond - r0PerSecond) / TimeSpan.TicksPerSecond / during.Ticks;
        _constantRate = constantRate;
        _constantIntervalTicks = constantIntervalTicks;
    }

    public override LoadModel Model => LoadModel.Open;

    public double StartRatePerSecond { get; }

    public double EndRatePerSecond { get; }

    /// <summary>How many iterations the phase starts: ⌈N(D)⌉, or the iteration limit.</summary>
    public long TotalIterations { get; }

    public override PhaseStart End => new(0, EndRatePerSecond);

    public static OpenPhase Constant(int rate, TimeSpan interval, TimeSpan during, long? iterationLimit)
    {
        double perSecond = rate / interval.TotalSeconds;
        long total = iterationLimit ?? (long)CeilDiv((Int128)rate * during.Ticks, interval.Ticks);
        return new OpenPhase(during, perSecond, perSecond, total, rate, interval.Ticks);
    }

    public static OpenPhase Ramp(double fromPerSecond, double toPerSecond, TimeSpan during)
    {
        // N(D) = (r0 + r1)/2 · D; a hair of tolerance keeps 499.9999999 from becoming 500 iterations' ceiling of 501.
        double due = (fromPerSecond + toPerSecond) / 2 * during.TotalSeconds;
        long total = (long)Math.Ceiling(due - 1e-9);
        return new OpenPhase(during, fromPerSecond, toPerSecond, Math.Max(0, total), constantRate: 0, constantIntervalTicks: 0);
    }

    /// <summary>Whether arrivals are a Poisson process rather than evenly spaced.</summary>
    public bool Poisson => _arrivals is not null;

    /// <summary>
    /// This phase with Poisson arrivals of the same rate: exponential gaps in expected arrivals (the
    /// time-rescaling of a Poisson process), drawn from <paramref name="seed"/>. Bounded by time, it
    /// starts as many as fall within it; bounded by <paramref name="iterationLimit"/>, exactly that many,
    /// lasting until the last is due.
    /// </summary>
    public OpenPhase WithPoissonArrivals(int seed, long? iterationLimit)
    {
        var random = new Random(seed);
        double expected = (StartRatePerSecond + EndRatePerSecond) / 2 * During!.Value.TotalSeconds;
        var arrivals = new List<double>();
        double u = 0;
        while (iterationLimit is null || arrivals.Count < iterationLimit)
        {
            u += -Math.Log(1 - random.NextDouble());
            if (iterationLimit is null && u > expected)
            {
                break;
            }

            arrivals.Add(u);
        }

        TimeSpan during = During!.Value;
        if (iterationLimit is not null && arrivals.Count > 0)
        {
            TimeSpan last = Inverse(arrivals[^1]);
            during = last >= during ? last + TimeSpan.FromTicks(1) : during;
        }

        return new OpenPhase(during, StartRatePerSecond, EndRatePerSecond, arrivals.Count, 0, 0, arrivals.ToArray());
    }

    /// <summary>The arrival rate (per second) at <paramref name="elapsed"/> into the phase.</summary>
    public double RateAt(TimeSpan elapsed) =>
        StartRatePerSecond + ((EndRatePerSecond - StartRatePerSecond) * Math.Clamp(elapsed.Ticks / (double)During!.Value.Ticks, 0, 1));

    /// <summary>When iteration <paramref name="k"/> (0-based, below <see cref="TotalIterations"/>) is intended to start.</summary>
    public TimeSpan IntendedStart(long k)
    {
        if (_arrivals is not null)
        {
            return Inverse(_arrivals[k]);
        }

        if (_constantRate > 0)
        {
            return TimeSpan.FromTicks((long)((Int128)k * _constantIntervalTicks / _constantRate));
        }

        if (k == 0)
        {
            return TimeSpan.Zero;
        }

        return Inverse(k);
    }

    /// <summary>N⁻¹(x): when x arrivals are expected. N(t) = x solved as t = 2x / (r0 + √(r0² + 2sx)): stable for rising, falling and flat ramps.</summary>
    private TimeSpan Inverse(double x)
    {
        double root = Math.Sqrt(Math.Max(0, (_r0PerTick * _r0PerTick) + (2 * _slopePerTick2 * x)));
        double ticks = 2 * x / (_r0PerTick + root);
        return TimeSpan.FromTicks((long)Math.Round(ticks));
    }

    /// <summary>How many iterations are due at or before <paramref name="elapsed"/>: ⌊N(t)⌋ + 1, at most <see cref="TotalIterations"/>.</summary>
    public long DueBy(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero || TotalIterations == 0)
        {
            return 0;
        }

        // Binary search over the intended starts keeps this exactly consistent with IntendedStart.
        long lo = 0;
        long hi = TotalIterations;
        while (lo < hi)
        {
            long mid = lo + ((hi - lo) / 2);
            if (IntendedStart(mid) <= elapsed)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static Int128 CeilDiv(Int128 a, long b) => (a + b - 1) / b;
}
