namespace Probe.Engine.Simulations;

/// <summary>Closed model: <see cref="Copies"/> virtual users share <see cref="Iterations"/> iterations; the phase ends when all are done.</summary>
public sealed record IterationsForConstantSimulation : LoadSimulation
{
    /// <summary>Creates the phase. Copies and iterations must be greater than zero.</summary>
    public IterationsForConstantSimulation(int copies, long iterations)
    {
        Copies = copies > 0 ? copies : throw new ArgumentOutOfRangeException(nameof(copies), copies, "copies must be greater than zero.");
        Iterations = iterations > 0 ? iterations : throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "iterations must be greater than zero.");
    }

    public int Copies { get; }

    public long Iterations { get; }

    public override TimeSpan? During => null;

    public override LoadModel Model => LoadModel.Closed;

    internal override LoadPhase Compile(PhaseStart start) => new ClosedPhase(Copies, Copies, during: null, Iterations);

    /// <summary>The phase ends after its iterations: scaling time does not change it.</summary>
    public override LoadSimulation Scale(double factor) => this;

    /// <summary>The shard's iterations, run by its share of the copies (at least one, at most one per iteration).</summary>
    public override LoadSimulation Split(int index, int count)
    {
        long iterations = ShareOf(Iterations, index, count);
        return new IterationsForConstantSimulation((int)Math.Min(Math.Max(1, ShareOf(Copies, index, count)), Math.Max(1, iterations)), iterations);
    }

    public override string ToString() => $"keep-constant {Copies} for {Iterations} iterations";
}
