namespace Probe.Scenarios.Http;

/// <summary>A step's request headers as both lean clients send them: the step's own (its Content-Length dropped), then User-Agent, Content-Type and Content-Length where the step gives none.</summary>
internal static class RequestHeaders
{
    public static List<KeyValuePair<string, string>> Complete(IEnumerable<KeyValuePair<string, string>> headers, byte[]? body, string? contentType)
    {
        // The step's own User-Agent and Content-Type win over ours, as with HttpClient; Content-Length is always ours.
        List<KeyValuePair<string, string>> all = headers.Where(h => !h.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).ToList();
        bool Has(string name) => all.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
        if (!Has("User-Agent"))
        {
            all.Add(KeyValuePair.Create("User-Agent", "probe"));
        }

        if (body is not null)
        {
            if (!Has("Content-Type"))
            {
                all.Add(KeyValuePair.Create("Content-Type", contentType!));
            }

            all.Add(KeyValuePair.Create("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        return all;
    }
}
