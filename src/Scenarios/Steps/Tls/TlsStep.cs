using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Tls;

/// <summary>
/// Connects, completes a TLS handshake and reads the server's certificate: days to expiry, issuer,
/// subject, host-name match and chain trust. The certificate is inspected, never trusted blindly:
/// the handshake accepts it only so that a bad one can be described rather than just refused.
/// </summary>
internal sealed class TlsStep
{
    private readonly TlsStepSpec _spec;
    private readonly TimeProvider _time;
    private readonly string _host;
    private readonly int _port;

    private readonly StepChecks _checks;

    public TlsStep(TlsStepSpec spec, TargetSpec target, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _checks = checks;
        _time = time;
        _host = spec.Host ?? target.Url.IdnHost;
        _port = spec.Port ?? (target.Url.IsDefaultPort && target.Url.Scheme == "http" ? 443 : target.Url.Port);
    }

    /// <summary>Told each certificate's expiry (for a runner's gauges); null for nobody.</summary>
    public Action<DateTimeOffset>? Facts { get; init; }

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(_spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        long start = _time.GetTimestamp();
        try
        {
            using var tcp = new TcpClient { NoDelay = true };
            await tcp.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
            long connected = _time.GetTimestamp();
            X509Certificate2? certificate = null;
            SslPolicyErrors errors = SslPolicyErrors.None;
            await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, cert, _, policyErrors) =>
            {
                certificate = cert is null ? null : new X509Certificate2(cert);
                errors = policyErrors;
                return true;
            });
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _host }, linked.Token).ConfigureAwait(false);
            long done = _time.GetTimestamp();
            using (certificate)
            {
                if (certificate is null)
                {
                    return StepResult.Fail(FailureReason.Tls, "the server sent no certificate");
                }

                Facts?.Invoke(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero));
                var facts = new TlsFacts(
                    certificate.NotAfter.ToUniversalTime() - _time.GetUtcNow().UtcDateTime,
                    certificate.Issuer,
                    certificate.Subject,
                    (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0,
                    (errors & SslPolicyErrors.RemoteCertificateChainErrors) == 0);
                var phases = new PhaseTimings(-1, _time.ToNanoseconds(connected - start), _time.ToNanoseconds(done - connected), -1, -1);
                return Judge(facts, _time.ToNanoseconds(done - start)) with { Phases = phases };
            }
        }
        catch (Exception e) when (e is SocketException or AuthenticationException or IOException)
        {
            return StepResult.Fail(e is SocketException ? FailureReason.Connect : FailureReason.Tls, e is SocketException ? e.Message : Probe.Scenarios.Http.HttpFailures.NotTls(e.Message, "a tls step needs a port that speaks TLS"));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return StepResult.Fail(FailureReason.Timeout, "no handshake within the step's timeout");
        }
    }

    private StepResult Judge(TlsFacts facts, long durationNs)
    {
        var input = new CheckInput(0, durationNs, 0, null, tls: facts);
        if (_checks.FirstFailure(input) is { } failure)
        {
            return StepResult.Fail(FailureReason.Check, failure);
        }

        if (_spec.Checks.Count > 0)
        {
            return StepResult.Ok();
        }

        string? problem = facts.ExpiresIn <= TimeSpan.Zero ? $"the certificate expired {-facts.ExpiresIn.TotalDays:0} days ago"
            : !facts.HostnameMatch ? $"the certificate ({facts.Subject}) does not name {_host}"
            : !facts.Trusted ? $"the certificate chain is not trusted (issuer {facts.Issuer})"
            : null;
        return problem is null ? StepResult.Ok() : StepResult.Fail(FailureReason.Tls, problem);
    }

}
