using System.Net;

namespace Probe.Runner.Input;

/// <summary>Reads the options every serving command shares: where to listen and the bearer token file.</summary>
internal static class ServingInput
{
    /// <exception cref="ArgumentException">Not ADDRESS:PORT; the message names the option and shows an example.</exception>
    public static IPEndPoint Listen(string value, string option)
    {
        if (!IPEndPoint.TryParse(value, out IPEndPoint? endpoint) || !value.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{option} takes ADDRESS:PORT, such as 127.0.0.1:9464; found '{value}'");
        }

        return endpoint;
    }

    /// <summary>Why <paramref name="name"/> cannot be a region (or another label value Probe puts everywhere), or null when it can.</summary>
    public static string? NameProblem(string name) =>
        string.IsNullOrWhiteSpace(name) ? "is empty; name the region, such as eu-west"
        : name.Any(char.IsControl) ? $"'{name.ReplaceLineEndings(" ")}' holds a control character; use letters, digits and - _ ."
        : null;

    /// <summary>Why Probe cannot keep its data in <paramref name="folder"/> (it cannot be made or written there), or null when it can.</summary>
    public static string? DataFolderProblem(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, $".probe-write-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"cannot keep data in {Path.GetFullPath(folder)}: {e.Message}; give a folder this user can write";
        }
    }

    /// <summary>The token in <paramref name="file"/> (trimmed), or null when no file is given.</summary>
    /// <exception cref="ArgumentException">The file cannot be read or is empty.</exception>
    public static async Task<string?> TokenAsync(string? file, string option, CancellationToken cancellation)
    {
        if (file is null)
        {
            return null;
        }

        string token;
        try
        {
            token = (await File.ReadAllTextAsync(file, cancellation)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{option}: cannot read {file}: {e.Message}", e);
        }

        return token.Length > 0 ? token : throw new ArgumentException($"{option}: {file} is empty; put the bearer token in it");
    }
}
