using System.Buffers;
using System.Text;

namespace Probe.Scenarios.Http;

/// <summary>An answer's body read through HttpClient up to a limit: past it (or a Content-Length past it), <see cref="BodyTooLargeException"/>.</summary>
internal static class LimitedBody
{
    /// <summary>The body's size and, with <paramref name="keep"/>, its text.</summary>
    public static async Task<(long Size, string? Text)> ReadAsync(HttpContent content, long max, bool keep, CancellationToken cancellation)
    {
        if (content.Headers.ContentLength > max)
        {
            throw new BodyTooLargeException(max);
        }

        await using Stream stream = await content.ReadAsStreamAsync(cancellation).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        using var kept = keep ? new MemoryStream() : null;
        long size = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false)) > 0)
            {
                size += read;
                if (size > max)
                {
                    throw new BodyTooLargeException(max);
                }

                kept?.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (size, kept is null ? null : Encoding.UTF8.GetString(kept.GetBuffer(), 0, (int)kept.Length));
    }
}
