using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using Probe.Engine.Core;

namespace Probe.Scenarios.Http;

/// <summary>Maps what an HTTP exchange threw to the fixed failure reasons, with a short message (never a URL with secrets).</summary>
internal static class HttpFailures
{
    public static (FailureReason Reason, string Message)? Classify(Exception e, bool timedOut) => e switch
    {
        OperationCanceledException when timedOut => (FailureReason.Timeout, "no answer within the step's timeout"),
        OperationCanceledException => (FailureReason.Cancelled, "the run was stopping"),
        BodyTooLargeException b => (FailureReason.Body, b.Message),
        HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } => (FailureReason.Dns, "the host name did not resolve"),
        HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } or AuthenticationException => (FailureReason.Tls, Inner(e)),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } => (FailureReason.Connect, Inner(e)),
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => (FailureReason.Connect, "the connection closed before the answer was complete"),
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse } => (FailureReason.Body, Inner(e)),
        HttpRequestException or IOException or SocketException => (FailureReason.Connect, Inner(e)),
        _ => null,
    };

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
