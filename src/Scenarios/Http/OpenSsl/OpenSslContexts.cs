namespace Probe.Scenarios.Http.OpenSsl;

/// <summary>What a client offers in ALPN.</summary>
internal enum AlpnOffer
{
    Http11,
    Http2First,
    Http2Only,
}

/// <summary>
/// The OpenSSL client contexts of the lean client's own TLS: one per ALPN offer, made once per process and shared by
/// every connection (a context per connection is a tenth of a new connection's CPU). They check no certificate: they
/// serve <c>insecure_tls</c> targets only.
/// </summary>
internal static class OpenSslContexts
{
    private static readonly Lazy<nint> Http11 = new(() => Create([8, .. "http/1.1"u8]));
    private static readonly Lazy<nint> Http2First = new(() => Create([2, .. "h2"u8, 8, .. "http/1.1"u8]));
    private static readonly Lazy<nint> Http2Only = new(() => Create([2, .. "h2"u8]));

    /// <summary>The shared context that offers <paramref name="offer"/>.</summary>
    public static nint For(AlpnOffer offer) => offer switch
    {
        AlpnOffer.Http2First => Http2First.Value,
        AlpnOffer.Http2Only => Http2Only.Value,
        _ => Http11.Value,
    };

    private static nint Create(byte[] alpn)
    {
        LibSsl.ERR_clear_error();
        nint context = LibSsl.SSL_CTX_new(LibSsl.TLS_client_method());
        if (context == 0)
        {
            throw new InvalidOperationException($"OpenSSL could not make a TLS client context: {LibSsl.TakeErrors()}");
        }

        LibSsl.SSL_CTX_set_verify(context, LibSsl.VerifyNone, 0);
        LibSsl.ReleaseIdleBuffers(context);
        if (LibSsl.SSL_CTX_set_alpn_protos(context, alpn, (uint)alpn.Length) != 0)
        {
            throw new InvalidOperationException($"OpenSSL refused the ALPN list: {LibSsl.TakeErrors()}");
        }

        return context;
    }
}

/// <summary>
/// The last resumable TLS session of one target, offered to its next connection (as a browser resumes). Sessions of
/// one target are never offered to another: each target's <see cref="Lean.LeanTls"/> has its own.
/// </summary>
internal sealed class TlsSessions
{
    private readonly Lock _lock = new();
    private nint _session;

    ~TlsSessions()
    {
        if (_session != 0)
        {
            LibSsl.SSL_SESSION_free(_session);
        }
    }

    /// <summary>Keeps <paramref name="ssl"/>'s session when it can be resumed (in place of the one kept before); says whether it could.</summary>
    public bool Keep(nint ssl)
    {
        nint session = LibSsl.SSL_get1_session(ssl);
        if (session == 0)
        {
            return false;
        }

        if (LibSsl.SSL_SESSION_is_resumable(session) == 0)
        {
            LibSsl.SSL_SESSION_free(session);
            return false;
        }

        nint before;
        lock (_lock)
        {
            (before, _session) = (_session, session);
        }

        if (before != 0)
        {
            LibSsl.SSL_SESSION_free(before);
        }

        return true;
    }

    /// <summary>Offers the kept session (if any) for <paramref name="ssl"/>'s handshake.</summary>
    public void Offer(nint ssl)
    {
        lock (_lock)
        {
            if (_session != 0)
            {
                LibSsl.SSL_set_session(ssl, _session); // takes its own reference
            }
        }
    }
}
