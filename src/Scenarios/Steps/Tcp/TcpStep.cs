using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Probe.Engine.Results;
using Probe.Engine.Timing;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Http;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Steps.Tcp;

/// <summary>
/// Resolves the host, connects, optionally completes a TLS handshake, sends the step's text and reads
/// the answer until the expected text comes (or the connection closes, 64 KiB arrive, or the timeout),
/// timing each phase. Reasons: dns, connect, tls, timeout, reset, and check when the answer lacks the
/// expected text or a check fails.
/// </summary>
internal sealed class TcpStep
{
    private const int MaxAnswer = 64 * 1024;

    private readonly TcpStepSpec _spec;
    private readonly TimeProvider _time;
    private readonly StepChecks _checks;
    private readonly string _host;
    private readonly int _port;
    private readonly bool _insecure;
    private readonly byte[]? _send;
    private readonly bool _reads;

    /// <summary>The expected text as UTF-8, searched for in the bytes as they come (only the new ones and the overlap).</summary>
    private readonly byte[] _expect;

    public TcpStep(TcpStepSpec spec, TargetSpec target, TimeProvider time, StepChecks checks)
    {
        _spec = spec;
        _time = time;
        _checks = checks;
        _host = spec.Host ?? target.Url.IdnHost;
        _port = spec.Port ?? target.Url.Port;
        _insecure = target.InsecureTls;
        _send = spec.Send is null ? null : Encoding.UTF8.GetBytes(Secrets.Resolve(spec.Send));
        _expect = spec.Expect is null ? [] : Encoding.UTF8.GetBytes(spec.Expect);
        _reads = spec.Expect is not null || spec.Checks.Any(c => c.Subject.Kind is SubjectKind.Body or SubjectKind.Size);
    }

    public async ValueTask<StepResult> RunAsync(CancellationToken cancellation)
    {
        using var timeout = new CancellationTokenSource(_spec.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, timeout.Token);
        long start = _time.GetTimestamp();
        long dns = -1, connect, tls = -1, ttfb = -1, transfer = -1;
        string phase = "resolving the host";
        try
        {
            IPAddress[] addresses = IPAddress.TryParse(_host, out IPAddress? literal) ? [literal] : await System.Net.Dns.GetHostAddressesAsync(_host, linked.Token).ConfigureAwait(false);
            long resolved = _time.GetTimestamp();
            if (literal is null)
            {
                dns = _time.ToNanoseconds(resolved - start);
            }

            phase = "connecting";
            using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(addresses, _port, linked.Token).ConfigureAwait(false);
            long connected = _time.GetTimestamp();
            connect = _time.ToNanoseconds(connected - resolved);
            Stream stream = new NetworkStream(socket, ownsSocket: false);
            await using (stream.ConfigureAwait(false))
            {
                if (_spec.Tls)
                {
                    phase = "in the TLS handshake";
                    string? problem = null;
                    var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, chain, errors) =>
                    {
                        problem = HttpFailures.CertificateProblem(errors, certificate, chain, _host);
                        return _insecure || errors == SslPolicyErrors.None;
                    });
                    stream = ssl;
                    try
                    {
                        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = _host }, linked.Token).ConfigureAwait(false);
                    }
                    catch (AuthenticationException e)
                    {
                        return StepResult.Fail(FailureReason.Tls, problem ?? Probe.Scenarios.Http.HttpFailures.NotTls(e.Message, "if the port speaks plain text, leave out \"tls\""));
                    }

                    tls = _time.ToNanoseconds(_time.GetTimestamp() - connected);
                }

                long sent = _time.GetTimestamp();
                if (_send is not null)
                {
                    phase = "sending";
                    await stream.WriteAsync(_send, linked.Token).ConfigureAwait(false);
                    await stream.FlushAsync(linked.Token).ConfigureAwait(false);
                    sent = _time.GetTimestamp();
                }

                byte[] answer = [];
                if (_reads)
                {
                    phase = "waiting for the answer";
                    (answer, long first) = await ReadAsync(stream, linked.Token).ConfigureAwait(false);
                    if (first > 0)
                    {
                        ttfb = _time.ToNanoseconds(first - sent);
                        transfer = _time.ToNanoseconds(_time.GetTimestamp() - first);
                    }
                }

                var phases = new PhaseTimings(dns, connect, tls, ttfb, transfer);
                return Judge(answer, _time.ToNanoseconds(_time.GetTimestamp() - start)) with { Phases = phases };
            }
        }
        catch (SocketException e) when (phase == "resolving the host" || e.SocketErrorCode == SocketError.HostNotFound)
        {
            return StepResult.Fail(FailureReason.Dns, $"{_host} did not resolve: {e.Message}");
        }
        catch (SocketException e) when (phase == "connecting")
        {
            return StepResult.Fail(FailureReason.Connect, $"cannot connect to {_host}:{_port}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            return StepResult.Fail(FailureReason.Reset, $"the connection was lost {phase}: {e.Message}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return StepResult.Fail(FailureReason.Timeout, $"timed out {phase} ({_host}:{_port})");
        }
    }

    /// <summary>Reads until the expected text has come, the peer closes, or 64 KiB; returns the bytes and when the first came (0: none).</summary>
    private async Task<(byte[] Answer, long First)> ReadAsync(Stream stream, CancellationToken cancellation)
    {
        var answer = new MemoryStream();
        byte[] buffer = new byte[4096];
        long first = 0;
        while (answer.Length < MaxAnswer)
        {
            int n = await stream.ReadAsync(buffer, cancellation).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            first = first == 0 ? _time.GetTimestamp() : first;
            int searchFrom = Math.Max(0, (int)answer.Length - _expect.Length + 1);
            answer.Write(buffer, 0, n);
            if (_expect.Length > 0 && answer.GetBuffer().AsSpan(searchFrom, (int)answer.Length - searchFrom).IndexOf(_expect) >= 0)
            {
                break;
            }
        }

        return (answer.ToArray(), first);
    }

    private StepResult Judge(byte[] answer, long durationNs)
    {
        string text = Encoding.UTF8.GetString(answer);
        if (_spec.Expect is { } expect && !text.Contains(expect, StringComparison.Ordinal))
        {
            return StepResult.Fail(FailureReason.Check, $"expected \"{expect}\" in the answer; got {(text.Length == 0 ? "nothing" : $"\"{Shorten(text)}\"")}", sizeBytes: answer.Length);
        }

        var input = new CheckInput(0, durationNs, answer.Length, text);
        return _checks.FirstFailure(input) is { } failure
            ? StepResult.Fail(FailureReason.Check, failure, sizeBytes: answer.Length)
            : StepResult.Ok(sizeBytes: answer.Length);
    }

    private static string Shorten(string text)
    {
        string line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 80 ? line : line[..77] + "…";
    }
}
