using System.Net.Http.Headers;
using System.Text;

namespace Probe.Exporter.Publishing;

/// <summary>
/// Pushes a run's metrics (the Prometheus text format) to a Pushgateway, replacing the group
/// <c>/metrics/job/probe/suite/SUITE/instance/HOST</c> so that each suite and generator keeps its own
/// last result. Errors say what failed and where; nothing is retried silently.
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
        Uri group = new(_base, $"metrics/job/probe/suite/{Uri.EscapeDataString(suite)}/instance/{Uri.EscapeDataString(instance)}");
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
}
