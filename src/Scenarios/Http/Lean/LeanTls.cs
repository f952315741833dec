using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Probe.Scenarios.Http.OpenSsl;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// The TLS handshake of the lean client's new connections: SNI and certificate check for the target's
/// host (any certificate with <c>insecure_tls</c>, a rejected one failing with what was wrong with
/// it), ALPN, and the target's client certificate when the suite names one. For the HTTP/1.1
/// client, offering <c>h2</c> too (<see cref="HttpVersionChoice.Auto"/>), a server that picks it is
/// told to the caller with <see cref="Http2ChosenException"/>; for the HTTP/2 client only <c>h2</c> is
/// offered, and a server that does not take it fails the handshake.
/// <para>
/// An <c>insecure_tls</c> target without a client certificate gets OpenSSL's own connection (<see cref="OpenSslStream"/>,
/// on a context shared by the process): the same handshake on the wire at a third less CPU, which is what a
/// handshake-rate test measures. The rest (a certificate to check, a client certificate, no OpenSSL 3) use
/// <see cref="SslStream"/>.
/// </para>
/// </summary>
internal sealed class LeanTls
{
    private static readonly List<SslApplicationProtocol> Http11Only = [SslApplicationProtocol.Http11];
    private static readonly List<SslApplicationProtocol> Http2First = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];
    private static readonly List<SslApplicationProtocol> Http2Only = [SslApplicationProtocol.Http2];

    private readonly string _host;
    private readonly bool _insecure;
    private readonly bool _offerHttp2;
    private readonly bool _http2;
    private readonly bool _resume;
    private readonly X509Certificate2? _clientCertificate;
    private readonly bool _native;
    private readonly bool _address;
    private readonly TlsSessions _sessions = new();

    // insecure_tls accepts any certificate, so the chain .NET builds before asking is never read: trusting an empty
    // custom store spares it the system's roots, which OpenSSL sorts again for every handshake (about a quarter of a
    // new connection's CPU against an address target; bench/README.md, "New TLS connections").
    private readonly X509ChainPolicy? _anyCertificate;

    /// <param name="host">The host the certificate must name (and SNI, unless it is an address).</param>
    /// <param name="insecure">Accept any certificate.</param>
    /// <param name="offerHttp2">Offer h2 before http/1.1 in ALPN.</param>
    /// <param name="clientCertificate">Sent when the server asks for one; the caller owns it.</param>
    /// <param name="http2">For the HTTP/2 client: offer h2 alone and require it.</param>
    /// <param name="resume">
    /// Resume the target's last TLS session (OpenSSL's connections always can; <see cref="SslStream"/> only for a
    /// target named by host name). False for
    /// <c>new_connection_per_iteration</c>: every iteration then makes the full handshake a fresh browser makes.
    /// </param>
    public LeanTls(string host, bool insecure, bool offerHttp2, X509Certificate2? clientCertificate, bool http2 = false, bool resume = true)
    {
        _resume = resume;
        _http2 = http2;
        _host = host;
        _insecure = insecure;
        _offerHttp2 = offerHttp2;
        _clientCertificate = clientCertificate;
        _native = insecure && clientCertificate is null && LibSsl.Supported;
        _anyCertificate = insecure && !_native
            ? new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck, DisableCertificateDownloads = true }
            : null;
        _address = Uri.CheckHostName(host.Trim('[', ']')) is UriHostNameType.IPv4 or UriHostNameType.IPv6;
    }

    /// <summary>Completes the handshake over <paramref name="inner"/> (owned from here on); returns the TLS stream.</summary>
    public ValueTask<Stream> HandshakeAsync(Stream inner, CancellationToken cancellation) =>
        _native ? OpenSslHandshakeAsync(inner, cancellation) : SslStreamHandshakeAsync(inner, cancellation);

    private async ValueTask<Stream> OpenSslHandshakeAsync(Stream inner, CancellationToken cancellation)
    {
        OpenSslStream tls;
        try
        {
            AlpnOffer offer = _http2 ? AlpnOffer.Http2Only : _offerHttp2 ? AlpnOffer.Http2First : AlpnOffer.Http11;
            tls = await OpenSslStream.ConnectAsync(inner, offer, _address ? null : _host, _resume ? _sessions : null, cancellation).ConfigureAwait(false);
        }
        catch (OpenSslException e) when (_http2)
        {
            throw OnlyHttp2Failed(e);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw HandshakeFailed(e);
        }

        return await AgreedAsync(tls, tls.Alpn == "h2").ConfigureAwait(false);
    }

    private async ValueTask<Stream> SslStreamHandshakeAsync(Stream inner, CancellationToken cancellation)
    {
        string? problem = null;
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = _host,
            ApplicationProtocols = _http2 ? Http2Only : _offerHttp2 ? Http2First : Http11Only,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            CertificateChainPolicy = _anyCertificate,
            AllowTlsResume = _resume,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
            {
                if (errors == SslPolicyErrors.None || _insecure)
                {
                    return true;
                }

                problem = HttpFailures.CertificateProblem(errors, certificate, chain, _host);
                return false;
            },
        };
        if (_clientCertificate is { } client)
        {
            options.LocalCertificateSelectionCallback = (_, _, _, _, _) => client;
        }

        try
        {
            await ssl.AuthenticateAsClientAsync(options, cancellation).ConfigureAwait(false);
        }
        catch (AuthenticationException e) when (problem is not null)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw new CertificateRejectedException(problem, e);
        }
        catch (AuthenticationException e) when (_http2)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw OnlyHttp2Failed(e);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw HandshakeFailed(e);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return await AgreedAsync(ssl, ssl.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2).ConfigureAwait(false);
    }

    /// <summary>Returns <paramref name="tls"/> when the server's ALPN choice suits this client; closes it otherwise.</summary>
    private async ValueTask<Stream> AgreedAsync(Stream tls, bool serverChoseHttp2)
    {
        if (_http2 && !serverChoseHttp2)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new TlsHandshakeException($"{_host} did not agree to HTTP/2 in ALPN: leave out \"http\": \"2\" for HTTP/1.1");
        }

        if (!_http2 && serverChoseHttp2)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new Http2ChosenException();
        }

        return tls;
    }

    // Reset or closed in the middle of the handshake, or refused by OpenSSL: a TLS failure, not a lost answer.
    private TlsHandshakeException HandshakeFailed(Exception e) => new($"the TLS handshake with {_host} failed: {HttpFailures.NotTls(e.Message)}", e);

    // A server without HTTP/2 refuses an ALPN of h2 alone (alert no_application_protocol) or ignores it.
    private TlsHandshakeException OnlyHttp2Failed(Exception e) =>
        new($"the TLS handshake with {_host} failed offering only HTTP/2 (ALPN h2; a server without HTTP/2 refuses that — leave out \"http\": \"2\" for HTTP/1.1): {HttpFailures.NotTls(e.Message)}", e);
}

/// <summary>The server chose HTTP/2 in ALPN: the target's requests go through the HTTP/2 client from now on.</summary>
internal sealed class Http2ChosenException() : IOException("the server chose HTTP/2 in ALPN");

/// <summary>A TLS handshake that failed for a reason other than the certificate; the message says what Probe offered and what came back.</summary>
internal sealed class TlsHandshakeException : AuthenticationException
{
    public TlsHandshakeException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    public TlsHandshakeException()
    {
    }

    public TlsHandshakeException(string message)
        : base(message)
    {
    }
}
