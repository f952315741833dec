namespace Probe.Runner.Output;

/// <summary>The commit checked out in the git work tree around a folder, read from .git without running git.</summary>
internal static class GitCommit
{
    public static string? Find(string folder)
    {
        try
        {
            for (DirectoryInfo? dir = new(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
            {
                string git = Path.Combine(dir.FullName, ".git");
                if (!Directory.Exists(git))
                {
                    continue;
                }

                string head = File.ReadAllText(Path.Combine(git, "HEAD")).Trim();
                if (!head.StartsWith("ref: ", StringComparison.Ordinal))
                {
                    return head;
                }

                string name = head[5..];
                string loose = Path.Combine(git, name);
                if (File.Exists(loose))
                {
                    return File.ReadAllText(loose).Trim();
                }

                string packed = Path.Combine(git, "packed-refs");
                return File.Exists(packed)
                    ? File.ReadLines(packed).Select(l => l.Split(' ')).FirstOrDefault(p => p.Length == 2 && p[1] == name)?[0]
                    : null;
            }
        }
        catch (IOException)
        {
        }

        return null;
    }
}
