namespace Probe.Runner;

/// <summary>The <c>probe</c> command line. Its commands arrive with the <c>probe run</c> issue.</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Console.Error.WriteLine("probe: the command line is not built yet; see README.md (the engine is usable from C#).");
        return 2;
    }
}
