namespace Probe.TestUtils;

/// <summary>Where the repository is, seen from a test's binaries: the folder holding Probe.sln.</summary>
public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Probe.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("Probe.sln was not found above the test binaries");
    }
}
