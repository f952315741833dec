using Probe.Scenarios.Steps;
using Probe.Scenarios.Steps.Http;
using System.Text.Json;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Fluent;

/// <summary>Configures an HTTP step: method and path, headers, query, body, checks, timeout, retries.</summary>
public sealed class HttpStepBuilder
{
    private readonly string _name;
    private readonly List<CheckExpression> _checks = [];
    private readonly Dictionary<string, string> _headers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _query = new(StringComparer.Ordinal);
    private string _method = "GET";
    private string _path = "/";
    private JsonElement? _json;
    private string? _text;
    private TimeSpan _timeout = TimeSpan.FromSeconds(30);
    private RetrySpec? _retry;

    internal HttpStepBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
    }

    public HttpStepBuilder Get(string path) => Request("GET", path);

    public HttpStepBuilder Post(string path) => Request("POST", path);

    public HttpStepBuilder Put(string path) => Request("PUT", path);

    public HttpStepBuilder Delete(string path) => Request("DELETE", path);

    /// <summary>Any method; the path starts with '/'.</summary>
    public HttpStepBuilder Request(string method, string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(method);
        if (path is null || !path.StartsWith('/'))
        {
            throw new ArgumentException($"a path starts with '/', found '{path}'", nameof(path));
        }

        (_method, _path) = (method.ToUpperInvariant(), path);
        return this;
    }

    /// <summary>A header; the value may be a secret reference such as <c>Bearer ${env:API_KEY}</c>.</summary>
    public HttpStepBuilder Header(string name, string value)
    {
        _headers[name] = value;
        return this;
    }

    public HttpStepBuilder Query(string name, string value)
    {
        _query[name] = value;
        return this;
    }

    /// <summary>A JSON body, serialized once now.</summary>
    public HttpStepBuilder Json<T>(T body)
    {
        _json = JsonSerializer.SerializeToElement(body);
        _text = null;
        return this;
    }

    /// <summary>A text body.</summary>
    public HttpStepBuilder Body(string text)
    {
        (_text, _json) = (text, null);
        return this;
    }

    /// <summary>A check such as <c>status == 200</c> or <c>body.results.length &gt;= 1</c>.</summary>
    /// <exception cref="FormatException">It does not parse; the message names the column.</exception>
    public HttpStepBuilder Check(string check)
    {
        _checks.Add(CheckParser.Parse(check));
        return this;
    }

    public HttpStepBuilder Timeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _timeout = timeout;
        return this;
    }

    /// <summary>Retries with exponential backoff; every attempt is recorded.</summary>
    public HttpStepBuilder Retry(int attempts, TimeSpan backoff)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        _retry = new RetrySpec(attempts, backoff);
        return this;
    }

    internal HttpStepSpec Build() =>
        new(_name, _checks.ToArray(), _timeout, _retry, null, _method, _path, _headers, _query, _json, _text, FollowRedirects: true, MaxBodyBytes: 16L << 20, Repeat: 1, new Dictionary<string, CheckSubject>());
}
