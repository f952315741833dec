using System.Net;

namespace Probe.Runner.Cli;

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
