namespace Probe.Scenarios.Suite;

/// <summary>Reads <c>targets</c>: <c>{ "demo": { "url": "http://127.0.0.1:5080", "demo": true } }</c>.</summary>
internal static class TargetReader
{
    internal static readonly string[] Fields = ["url", "demo", "insecure_tls", "http", "new_connection_per_iteration", "max_connections", "streams_per_connection", "client_certificate"];

    public static IReadOnlyDictionary<string, TargetSpec> Read(SuiteNode root, IReadOnlyDictionary<string, string> overrides)
    {
        var targets = new Dictionary<string, TargetSpec>(StringComparer.Ordinal);
        if (root.Field("targets") is not { } node)
        {
            root.Error("'targets' is required: named base URLs, for example \"targets\": { \"demo\": { \"url\": \"http://127.0.0.1:5080\", \"demo\": true } }");
            return targets;
        }

        if (!node.IsObjectWith("the targets", node.Members().Select(m => m.Name).ToArray()))
        {
            return targets;
        }

        foreach ((string name, SuiteNode target) in node.Members())
        {
            target.CheckName(name, "a target's name");
            if (!target.IsObjectWith($"target '{name}'", Fields))
            {
                continue;
            }

            string? url = overrides.TryGetValue(name, out string? o) ? o : target.String("url", required: true, example: "\"http://127.0.0.1:5080\"");
            if (url is null)
            {
                continue;
            }

            SuiteNode at = overrides.ContainsKey(name) ? target : target.Child("url");
            (string? credentials, string rest) = SplitCredentials(url);
            if (Secrets.HasReference(rest))
            {
                at.Error($"a secret in a target URL goes in its user information, sent as Basic credentials (\"https://user:${{env:PASSWORD}}@host\"), or in a step's headers; found \"{url}\"");
                continue;
            }

            if (credentials is not null)
            {
                Secrets.Check(credentials, at);
            }

            if (!Uri.TryCreate(rest, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                at.Error($"expected an absolute http or https URL such as \"http://127.0.0.1:5080\", found \"{url}\"{(overrides.ContainsKey(name) ? " (from --target)" : string.Empty)}");
                continue;
            }

            (bool demo, System.Text.Json.JsonElement? faults) = Demo(target);
            targets[name] = new TargetSpec(name, uri, demo, target.Boolean("insecure_tls") ?? false) { Credentials = credentials, DemoFaults = faults, Connections = Connections(target, uri) };
        }

        foreach (string name in overrides.Keys.Where(k => !targets.ContainsKey(k) && !node.Has(k)))
        {
            node.Error($"--target names '{name}', which the suite does not define{SuiteNode.DidYouMean(name, targets.Keys)}; targets: {string.Join(", ", targets.Keys)}");
        }

        return targets;
    }

    /// <summary>
    /// <c>"http": "1.1" | "2"</c>, <c>"new_connection_per_iteration"</c>, <c>"max_connections"</c>,
    /// <c>"streams_per_connection"</c> (HTTP/2 only) and <c>"client_certificate"</c>.
    /// </summary>
    private static ConnectionPolicy Connections(SuiteNode target, Uri url)
    {
        HttpVersionChoice http = target.String("http", example: "\"1.1\" or \"2\"") switch
        {
            null => HttpVersionChoice.Auto,
            "1.1" => HttpVersionChoice.Http11,
            "2" => HttpVersionChoice.Http2,
            string other => Invalid(target.Child("http"), $"expected \"1.1\" or \"2\" (leave it out for what ALPN gives), found \"{other}\""),
        };
        int? streams = (int?)target.Integer("streams_per_connection", 1, 1000);
        if (streams is not null && http != HttpVersionChoice.Http2)
        {
            target.Child("streams_per_connection").Error("streams_per_connection is for HTTP/2 targets: add \"http\": \"2\" to the target, or leave it out");
        }

        bool perIteration = target.Boolean("new_connection_per_iteration") ?? false;
        if (perIteration && http == HttpVersionChoice.Http2)
        {
            target.Child("new_connection_per_iteration").Error("new connections per iteration are an HTTP/1.1 policy (HTTP/2 shares a connection between users): leave out \"http\": \"2\", or this");
        }

        return new ConnectionPolicy(
            http,
            perIteration,
            (int?)target.Integer("max_connections", 1, 100_000),
            streams,
            ClientCertificate(target, url));
    }

    private static HttpVersionChoice Invalid(SuiteNode at, string message)
    {
        at.Error(message);
        return HttpVersionChoice.Auto;
    }

    /// <summary><c>"client_certificate": { "cert": "client.pem", "key": "client.key" }</c> or <c>{ "cert": "client.p12", "password": "${env:P}" }</c>, read and checked now.</summary>
    private static ClientCertificateSpec? ClientCertificate(SuiteNode target, Uri url)
    {
        if (target.Field("client_certificate") is not { } node || !node.IsObjectWith("the client certificate", "cert", "key", "password"))
        {
            return null;
        }

        if (url.Scheme != Uri.UriSchemeHttps)
        {
            node.Error($"a client certificate is sent only over TLS: the target's URL is {url.Scheme}://, use https://");
            return null;
        }

        string? cert = node.String("cert", required: true, example: "\"certs/client.pem\"");
        string? key = node.String("key");
        string? password = node.String("password");
        if (password is not null)
        {
            if (!Secrets.HasReference(password))
            {
                node.Child("password").Error("a password goes in the suite only by reference: \"${env:NAME}\"");
                return null;
            }

            Secrets.Check(password, node.Child("password"));
        }

        if (cert is null)
        {
            return null;
        }

        foreach ((string field, string? file) in new[] { ("cert", cert), ("key", key) })
        {
            if (file is not null && !File.Exists(file))
            {
                node.Child(field).Error($"no file '{file}' (paths are relative to the working directory, where probe runs)");
                return null;
            }
        }

        var spec = new ClientCertificateSpec(cert, key, password);
        try
        {
            using System.Security.Cryptography.X509Certificates.X509Certificate2 loaded = spec.Load();
            if (!loaded.HasPrivateKey)
            {
                node.Error($"'{cert}' has no private key: name the key file in \"key\" (PEM), or use a PKCS#12 file that holds it");
                return null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException or InvalidOperationException)
        {
            node.Error($"cannot load the client certificate '{cert}'{(key is null ? string.Empty : $" with key '{key}'")}: {e.Message}");
            return null;
        }

        return spec;
    }

    /// <summary>The demo target's faults a suite may set, by kind of value.</summary>
    internal static readonly string[] DemoDurations = ["ttft", "token_gap", "slow_ttft", "slow_token_gap", "stall_every", "stall_for", "rate_limit_window"];

    internal static readonly string[] DemoShares = ["error_rate", "drop_rate", "slow_share"];

    /// <summary>
    /// <c>"demo": true</c>, or the faults the built-in demo target starts with, in the words of
    /// <c>probe demo-target</c>'s options: <c>"demo": { "ttft": "200ms", "token_gap": "20ms" }</c>.
    /// </summary>
    private static (bool Demo, System.Text.Json.JsonElement? Faults) Demo(SuiteNode target)
    {
        if (target.Field("demo") is not { } demo || demo.Kind != System.Text.Json.JsonValueKind.Object)
        {
            return (target.Boolean("demo") ?? false, null);
        }

        if (!demo.IsObjectWith("the demo target's faults", [.. DemoDurations, .. DemoShares, "latency", "rate_limit"]))
        {
            return (true, null);
        }

        foreach (string field in DemoDurations)
        {
            _ = demo.Duration(field);
        }

        foreach (string field in DemoShares)
        {
            if (demo.Has(field) && demo.Child(field).Kind != System.Text.Json.JsonValueKind.Number)
            {
                demo.Child(field).Error($"expected a share from 0 to 1 such as 0.2, found {SuiteNode.Describe(demo.Child(field).Element)}");
            }
            else
            {
                _ = demo.Ratio(field);
            }
        }

        _ = demo.String("latency");
        _ = demo.Integer("rate_limit", 0, int.MaxValue);
        return (true, demo.Element.Clone());
    }

    /// <summary>
    /// Takes the user information out of a URL (scheme://user:password@host…): it is sent as Basic
    /// credentials, and must not stay in the URL (HttpClient ignores it, and URLs are shown).
    /// Percent-escapes in it are undone, as RFC 3986 allows them there.
    /// </summary>
    private static (string? Credentials, string Url) SplitCredentials(string url)
    {
        int scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0)
        {
            return (null, url);
        }

        int authorityStart = scheme + 3;
        int authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        string authority = authorityEnd < 0 ? url[authorityStart..] : url[authorityStart..authorityEnd];
        int at = authority.LastIndexOf('@');
        if (at < 0)
        {
            return (null, url);
        }

        string credentials = Uri.UnescapeDataString(authority[..at]);
        return (credentials, url[..authorityStart] + authority[(at + 1)..] + (authorityEnd < 0 ? string.Empty : url[authorityEnd..]));
    }
}
