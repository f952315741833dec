namespace Probe.Engine.Results;

/// <summary>What one step (or a whole iteration) came to: ok or failed, with status code, size and reason.</summary>
public readonly record struct StepResult
{
    private StepResult(bool isOk, int statusCode, long sizeBytes, FailureReason reason, string? message)
    {
        IsOk = isOk;
        StatusCode = statusCode;
        SizeBytes = sizeBytes;
        Reason = reason;
        Message = message;
        Phases = PhaseTimings.None;
    }

    /// <summary>Request phases (dns, connect, tls, time to first byte, transfer), when the step measured them.</summary>
    public PhaseTimings Phases { get; init; }

    /// <summary>An LLM answer's token figures, when the step asked a model; null otherwise.</summary>
    public TokenTimings? Tokens { get; init; }

    public bool IsOk { get; }

    /// <summary>The protocol status (an HTTP status code), or 0 when there is none.</summary>
    public int StatusCode { get; }

    /// <summary>Bytes received (and sent, if the step counts them).</summary>
    public long SizeBytes { get; }

    /// <summary><see cref="FailureReason.None"/> when ok.</summary>
    public FailureReason Reason { get; }

    /// <summary>A short message for people (never secrets or full URLs); null when ok.</summary>
    public string? Message { get; private init; }

    /// <summary>This result with its message passed through <paramref name="filter"/> (when it has one).</summary>
    public StepResult WithMessageFiltered(Func<string, string>? filter) => filter is null || Message is null ? this : this with { Message = filter(Message) };

    /// <summary>A successful result.</summary>
    public static StepResult Ok(int statusCode = 0, long sizeBytes = 0) => new(true, statusCode, sizeBytes, FailureReason.None, null);

    /// <summary>A failed result. <paramref name="reason"/> must not be <see cref="FailureReason.None"/>.</summary>
    public static StepResult Fail(FailureReason reason, string? message = null, int statusCode = 0, long sizeBytes = 0)
    {
        if (reason == FailureReason.None)
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A failure needs a reason other than None.");
        }

        return new(false, statusCode, sizeBytes, reason, message);
    }
}
