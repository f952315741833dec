using System.Net.Http.Headers;
using System.Text;

namespace Probe.Exporter.Publishing;

/// <summary>
/// Pushes a run's metrics (the Prometheus text format) to a Pushgateway, replacing the group
/// <c>/metrics/job/probe/suite/SUITE/instance/HOST</c> (see <see cref="GroupPath"/> for names that
/// are not plain) so that each suite and generator keeps its own last result. Errors say what failed
/// and where; nothing is retried silently.
/// </summary>
public sealed class PushgatewayClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _base;

    public PushgatewayClient(Uri pushgateway, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(pushgateway);
        _base = new Uri(pushgateway.ToString().TrimEnd('/') + "/");
        _http = new HttpClient { Timeout = timeout };
    }

    /// <summary>Checks that the Pushgateway answers (<c>/-/ready</c>); the reason when it does not.</summary>
    public async Task<string?> WhyNotReadyAsync(CancellationToken cancellation)
    {
        try
        {
            using HttpResponseMessage response = await _http.GetAsync(new Uri(_base, "-/ready"), cancellation).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? null : $"{_base} answered {(int)response.StatusCode} to /-/ready";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"cannot reach the Pushgateway at {_base}: {e.Message}";
        }
    }

    /// <summary>Replaces the group's metrics with <paramref name="exposition"/>; the reason when the push failed.</summary>
    public async Task<string?> PushAsync(string suite, string instance, string exposition, CancellationToken cancellation)
    {
        Uri group = new(_base, GroupPath(suite, instance));
        using var content = new StringContent(exposition, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(Prometheus.TextExposition.ContentType);
        try
        {
            using HttpResponseMessage response = await _http.PutAsync(group, content, cancellation).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            string body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return $"the Pushgateway refused the push to {group} ({(int)response.StatusCode}): {body.Trim()}";
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"cannot push to {group}: {e.Message}";
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// The group's path. A label value that is not plain (letters, digits, _ . - only, and not "." or
    /// "..", which a URL resolves as a path step) goes in the Pushgateway's base64url form,
    /// <c>label@base64/VALUE</c>, so no suite name can reach another group; an empty one is <c>=</c>.
    /// </summary>
    public static string GroupPath(string suite, string instance)
    {
        ArgumentNullException.ThrowIfNull(suite);
        ArgumentNullException.ThrowIfNull(instance);
        return $"metrics/job/probe/{Label("suite", suite)}/{Label("instance", instance)}";
    }

    private static string Label(string name, string value)
    {
        bool plain = value.Length > 0 && value is not ("." or "..") && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
        return plain ? $"{name}/{value}" : $"{name}@base64/{(value.Length == 0 ? "=" : Convert.ToBase64String(Encoding.UTF8.GetBytes(value)).TrimEnd('=').Replace('+', '-').Replace('/', '_'))}";
    }
}
