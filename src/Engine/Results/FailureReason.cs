namespace Probe.Engine.Results;

/// <summary>Why a step failed: a small fixed set, so that reports and metric labels stay bounded.</summary>
public enum FailureReason
{
    /// <summary>The step did not fail.</summary>
    None = 0,

    /// <summary>The host name did not resolve.</summary>
    Dns,

    /// <summary>The connection was refused, reset or dropped.</summary>
    Connect,

    /// <summary>The TLS handshake or certificate failed.</summary>
    Tls,

    /// <summary>The step ran past its timeout.</summary>
    Timeout,

    /// <summary>The response status was not the one expected.</summary>
    Status,

    /// <summary>A check on the response failed.</summary>
    Check,

    /// <summary>The response body could not be read or parsed, or was too large.</summary>
    Body,

    /// <summary>The run was stopping and cancelled the step.</summary>
    Cancelled,

    /// <summary>The step threw an exception: a fault in the scenario, not the target.</summary>
    Internal,

    /// <summary>The answer broke HTTP's framing rules (RFC 9112): an invalid or conflicting Content-Length, bytes past the answer's end, a malformed status line.</summary>
    Protocol,

    /// <summary>The connection was reset or closed after the request was sent, before the answer was complete.</summary>
    Reset,

    /// <summary>Redirects went round in a loop or past the limit.</summary>
    Redirects,

    /// <summary>A streamed answer sent an error event, or broke off before its end.</summary>
    Stream,
}

/// <summary>Names of <see cref="FailureReason"/> as they appear in reports and metric labels.</summary>
public static class FailureReasons
{
    /// <summary>Every failure reason except <see cref="FailureReason.None"/>.</summary>
    public static IReadOnlyList<FailureReason> All { get; } =
        Enum.GetValues<FailureReason>().Where(r => r != FailureReason.None).ToArray();

    /// <summary>The lower-case label: dns, connect, tls, timeout, status, check, body, cancelled, internal, protocol, reset, redirects, stream.</summary>
    public static string Label(this FailureReason reason) => reason switch
    {
        FailureReason.None => "none",
        FailureReason.Dns => "dns",
        FailureReason.Connect => "connect",
        FailureReason.Tls => "tls",
        FailureReason.Timeout => "timeout",
        FailureReason.Status => "status",
        FailureReason.Check => "check",
        FailureReason.Body => "body",
        FailureReason.Cancelled => "cancelled",
        FailureReason.Internal => "internal",
        FailureReason.Protocol => "protocol",
        FailureReason.Reset => "reset",
        FailureReason.Redirects => "redirects",
        FailureReason.Stream => "stream",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
