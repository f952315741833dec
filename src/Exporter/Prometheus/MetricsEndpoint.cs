using System.Security.Cryptography;
using System.Text;

namespace Probe.Exporter.Prometheus;

/// <summary>What a /metrics endpoint decides per request, apart from hosting: the format, and whether the caller may read.</summary>
public static class MetricsEndpoint
{
    public const string OpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// <summary>OpenMetrics when the Accept header asks for it (as Prometheus does), else the text format 0.0.4.</summary>
    public static (bool OpenMetrics, string ContentType) Negotiate(string? accept) =>
        accept is not null && accept.Contains("application/openmetrics-text", StringComparison.OrdinalIgnoreCase)
            ? (true, OpenMetricsContentType)
            : (false, TextExposition.ContentType);

    /// <summary>True when no token is required, or the Authorization header carries it as a bearer token (compared in constant time).</summary>
    public static bool Authorized(string? authorization, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        const string Prefix = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[Prefix.Length..].Trim()), Encoding.UTF8.GetBytes(token));
    }
}
