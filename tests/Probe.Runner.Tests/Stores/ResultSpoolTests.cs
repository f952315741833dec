using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Xunit;
using Probe.Runner.Results;

namespace Probe.Runner.Tests.Stores;

[Collection(RealTimeCollection.Name)]
public class ResultSpoolTests
{
    [Fact]
    public void AppendPeekCommit_ResultsComeBackInOrderAndWhole()
    {
        string folder = ProbeProcess.TempFolder();
        using ResultSpool spool = ResultSpool.Open(folder);
        SyntheticResult[] results = ResultSamples.Range(25);
        spool.Append(results[..10]);
        spool.Append(results[10..]);
        Assert.Equal(25, spool.Depth);

        var (first, end) = spool.Peek(20);
        Assert.Equal(results[..20], first, ResultComparer.Instance);
        spool.Commit(end, first.Count);
        var (rest, end2) = spool.Peek(100);
        Assert.Equal(results[20..], rest, ResultComparer.Instance);
        spool.Commit(end2, rest.Count);
        Assert.Equal(0, spool.Depth);
        Assert.Equal(0, new FileInfo(Path.Combine(folder, "spool.log")).Length);
    }

    [Fact]
    public void Open_AfterACrash_KeepsWhatWasNotDrainedAndCutsATornRecord()
    {
        string folder = ProbeProcess.TempFolder();
        SyntheticResult[] results = ResultSamples.Range(6);
        using (ResultSpool spool = ResultSpool.Open(folder))
        {
            spool.Append(results);
            var (two, end) = spool.Peek(2);
            spool.Commit(end, two.Count);
        }

        // A crash in the middle of the next append leaves half a record behind.
        string log = Path.Combine(folder, "spool.log");
        byte[] whole = File.ReadAllBytes(log);
        File.AppendAllBytes(log, whole.AsSpan(0, 40).ToArray());

        using ResultSpool reopened = ResultSpool.Open(folder);
        Assert.Equal(4, reopened.Depth);
        var (left, _) = reopened.Peek(100);
        Assert.Equal(results[2..], left, ResultComparer.Instance);
        Assert.Equal(whole.Length, new FileInfo(log).Length);
    }

    [Fact]
    public void Open_CrashBetweenCompactionAndOffsetReset_StartsFromTheBeginning()
    {
        string folder = ProbeProcess.TempFolder();
        using (ResultSpool spool = ResultSpool.Open(folder))
        {
            spool.Append(ResultSamples.Range(3));
        }

        File.WriteAllText(Path.Combine(folder, "spool.offset"), "99999");
        using ResultSpool reopened = ResultSpool.Open(folder);
        Assert.Equal(3, reopened.Depth);
    }

    [Fact]
    public void Open_SpoolHeldByAnotherRunner_SaysSo()
    {
        string folder = ProbeProcess.TempFolder();
        using ResultSpool first = ResultSpool.Open(folder);
        IOException e = Assert.Throws<IOException>(() => ResultSpool.Open(folder));
        Assert.Contains("in use by another probe process", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Compares results by value, steps included.</summary>
    internal sealed class ResultComparer : IEqualityComparer<SyntheticResult>
    {
        public static readonly ResultComparer Instance = new();

        public bool Equals(SyntheticResult? x, SyntheticResult? y) =>
            x is not null && y is not null && (x with { Steps = [] }) == (y with { Steps = [] }) && x.Steps.SequenceEqual(y.Steps);

        public int GetHashCode(SyntheticResult obj) => obj.Id.GetHashCode();
    }
}
