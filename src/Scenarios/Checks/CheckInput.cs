using System.Text.Json;

namespace Probe.Scenarios.Checks;

/// <summary>What checks read from one response. The body is parsed as JSON once, on first use.</summary>
public sealed class CheckInput
{
    // Status inputs are immutable and read nothing lazily (no body): shared across responses and threads.
    private static readonly CheckInput?[] ByStatus = new CheckInput?[1000];

    private readonly Func<string, string?>? _header;
    private readonly IReadOnlyDictionary<string, string>? _headers;
    private JsonDocument? _json;
    private bool _parsed;

    public CheckInput(int status, long latencyNanoseconds, long sizeBytes, string? body, Func<string, string?>? header = null, TlsFacts? tls = null)
    {
        Status = status;
        LatencyNanoseconds = latencyNanoseconds;
        SizeBytes = sizeBytes;
        Body = body;
        _header = header;
        Tls = tls;
    }

    private CheckInput(int status, long latencyNanoseconds, long sizeBytes, string? body, IReadOnlyDictionary<string, string>? headers)
        : this(status, latencyNanoseconds, sizeBytes, body) => _headers = headers;

    public int Status { get; }

    public long LatencyNanoseconds { get; }

    public long SizeBytes { get; }

    /// <summary>The body as text, or null when it was not kept.</summary>
    public string? Body { get; }

    public TlsFacts? Tls { get; }

    public string? Header(string name) => _headers is not null ? _headers.GetValueOrDefault(name) : _header?.Invoke(name);

    /// <summary>An input whose headers are read from a dictionary (its comparer decides case): no closure per response.</summary>
    public static CheckInput WithHeaders(int status, long latencyNanoseconds, long sizeBytes, string? body, IReadOnlyDictionary<string, string>? headers) =>
        new(status, latencyNanoseconds, sizeBytes, body, headers);

    /// <summary>
    /// An input that carries nothing but <paramref name="status"/>, for checks and extracts that read
    /// nothing else: one shared input per status, so a step whose checks are all on the status (most
    /// are) allocates nothing per response for them.
    /// </summary>
    internal static CheckInput OfStatus(int status) =>
        (uint)status < (uint)ByStatus.Length ? ByStatus[status] ??= new CheckInput(status, 0, 0, null) : new CheckInput(status, 0, 0, null);

    /// <summary>The body as JSON, or null when it is not JSON.</summary>
    public JsonElement? Json
    {
        get
        {
            if (!_parsed)
            {
                _parsed = true;
                try
                {
                    _json = Body is null ? null : JsonDocument.Parse(Body);
                }
                catch (JsonException)
                {
                    _json = null;
                }
            }

            return _json?.RootElement;
        }
    }
}

/// <summary>What a TLS handshake showed: certificate expiry, issuer, subject, whether the host name matched and the chain is trusted.</summary>
public sealed record TlsFacts(TimeSpan ExpiresIn, string Issuer, string Subject, bool HostnameMatch, bool Trusted = true);
