using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Probe.Engine.Results;

namespace Probe.Scenarios.Http;

/// <summary>Maps what an HTTP exchange threw to the fixed failure reasons, with a short message (never a URL with secrets).</summary>
internal static class HttpFailures
{
    /// <summary>The reason and message for <paramref name="e"/>; null when it is not a failure of the exchange (a bug: let it surface).</summary>
    /// <param name="e">What the exchange threw.</param>
    /// <param name="timedOut">Whether the step's own timeout cancelled it.</param>
    /// <param name="certificateProblem">What was wrong with the server's certificate, when the TLS handshake saw it (<see cref="CertificateProblem"/>).</param>
    public static (FailureReason Reason, string Message)? Classify(Exception e, bool timedOut, string? certificateProblem = null) => e switch
    {
        OperationCanceledException when timedOut => (FailureReason.Timeout, "no answer within the step's timeout"),
        OperationCanceledException => (FailureReason.Cancelled, "the run was stopping"),
        BodyTooLargeException b => (FailureReason.Body, b.Message),
        HttpFramingException p => (FailureReason.Protocol, p.Message),
        CertificateRejectedException c => (FailureReason.Tls, c.Message),
        Lean.TlsHandshakeException t => (FailureReason.Tls, t.Message),
        RedirectsException r => (FailureReason.Redirects, r.Message),
        UnsendableHeaderException h => (FailureReason.Check, h.Message),
        ConnectionLostException lost => (FailureReason.Reset, lost.Message),
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => (FailureReason.Dns, "the host name did not resolve"),
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or AuthenticationException => (FailureReason.Tls, certificateProblem ?? NotTls(Inner(e))),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => (FailureReason.Connect, Inner(e)),
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => (FailureReason.Reset, "the connection closed before the answer was complete"),
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => (FailureReason.Protocol, Inner(e)),
        HttpRequestException { InnerException: IOException or SocketException } or IOException or SocketException => (FailureReason.Reset, $"the connection was lost: {Inner(e)}"),
        HttpRequestException => (FailureReason.Connect, Inner(e)),
        _ => null,
    };

    /// <summary>
    /// What a TLS certificate check found, in words a person can act on: expired (or not yet valid),
    /// not trusted (self-signed or an unknown issuer), not for this host name, or missing.
    /// </summary>
    public static string? CertificateProblem(System.Net.Security.SslPolicyErrors errors, System.Security.Cryptography.X509Certificates.X509Certificate? certificate, System.Security.Cryptography.X509Certificates.X509Chain? chain, string host)
    {
        if (errors == System.Net.Security.SslPolicyErrors.None)
        {
            return null;
        }

        var problems = new List<string>();
        using var cert = certificate is null ? null : new System.Security.Cryptography.X509Certificates.X509Certificate2(certificate);
        if (errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            problems.Add("the server sent no certificate");
        }

        var status = chain?.ChainStatus.Select(s => s.Status).ToHashSet() ?? [];
        if (cert is not null && status.Contains(System.Security.Cryptography.X509Certificates.X509ChainStatusFlags.NotTimeValid))
        {
            problems.Add($"the certificate is expired or not yet valid (valid from {cert.NotBefore.ToUniversalTime():yyyy-MM-dd HH:mm} to {cert.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC)");
        }

        if (errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors) && status.Any(s => s is System.Security.Cryptography.X509Certificates.X509ChainStatusFlags.UntrustedRoot or System.Security.Cryptography.X509Certificates.X509ChainStatusFlags.PartialChain))
        {
            problems.Add(cert is not null && cert.Subject == cert.Issuer
                ? $"the certificate is self-signed and not trusted ({cert.Subject})"
                : $"the certificate is not trusted: its issuer{(cert is null ? string.Empty : $" ({cert.Issuer})")} is not a trusted authority");
        }

        if (errors.HasFlag(System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            problems.Add($"the certificate is not for {host}{(cert is null ? string.Empty : $" (it is for {cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.DnsName, forIssuer: false)})")}");
        }

        if (problems.Count == 0)
        {
            problems.Add($"the certificate was rejected ({errors}{(status.Count == 0 ? string.Empty : $": {string.Join(", ", status)}")})");
        }

        return string.Join("; ", problems);
    }

    /// <summary>
    /// A failed handshake's message, with what it most likely means when the server did not answer in TLS at all
    /// (OpenSSL's "wrong version number", .NET's "cannot determine the frame size": a plain HTTP server read as TLS).
    /// </summary>
    internal static string NotTls(string message, string remedy = "if this port serves plain HTTP, use http://") =>
        message.Contains("wrong version number", StringComparison.OrdinalIgnoreCase) || message.Contains("frame size or a corrupted frame", StringComparison.OrdinalIgnoreCase)
            ? $"{message} — the server did not answer in TLS: {remedy}"
            : message;

    private static string Inner(Exception e)
    {
        Exception inner = e;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return inner.Message;
    }
}

/// <summary>The answer broke HTTP/1.1's message framing (RFC 9112 section 6).</summary>
internal sealed class HttpFramingException(string message) : IOException(message);

/// <summary>The server's certificate was rejected; the message says why (expired, untrusted, another name).</summary>
internal sealed class CertificateRejectedException(string message, Exception inner) : IOException(message, inner);

/// <summary>A header value filled from a variable (an earlier answer's extract, the environment) holds CR, LF or NUL: the request is not sent.</summary>
internal sealed class UnsendableHeaderException(string message) : IOException(message);

/// <summary>Redirects went round in a loop or past the limit.</summary>
internal sealed class RedirectsException(string message) : IOException(message);

/// <summary>The connection was reset or closed after the request was sent, before the answer was complete.</summary>
internal sealed class ConnectionLostException(string message, Exception? inner = null) : IOException(message, inner);

/// <summary>The body passed the step's max_body.</summary>
internal sealed class BodyTooLargeException : IOException
{
    public BodyTooLargeException(long limit)
        : base($"the body is larger than max_body ({limit} bytes)")
    {
    }

    public BodyTooLargeException()
    {
    }

    public BodyTooLargeException(string message)
        : base(message)
    {
    }

    public BodyTooLargeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
