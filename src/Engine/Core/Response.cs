using System.Globalization;
using Probe.Engine.Results;

namespace Probe.Engine.Core;

/// <summary>
/// NBomber's names for a step's or an iteration's outcome: <c>Response.Ok()</c>,
/// <c>Response.Fail(statusCode: "500", message: "…")</c>. Each is a <see cref="StepResult"/>. Status
/// codes may be numbers or, as NBomber writes them, text (<c>"200"</c>); text that is not a number
/// is kept in the message.
/// </summary>
public static class Response
{
    /// <summary>A success, with the answer's status code and size when there was one.</summary>
    public static StepResult Ok(int statusCode = 0, long sizeBytes = 0) => StepResult.Ok(statusCode, sizeBytes);

    /// <summary>A success with NBomber's text status code, such as <c>"200"</c>.</summary>
    public static StepResult Ok(string statusCode, long sizeBytes = 0) => StepResult.Ok(Number(statusCode) ?? 0, sizeBytes);

    /// <summary>
    /// A failure. Its reason is <paramref name="reason"/> when given; else <c>status</c> when the status
    /// code is 400 or more, and <c>check</c> otherwise (the test's own assertion failed).
    /// </summary>
    public static StepResult Fail(int statusCode = 0, string? message = null, long sizeBytes = 0, FailureReason? reason = null) =>
        StepResult.Fail(reason ?? (statusCode >= 400 ? FailureReason.Status : FailureReason.Check), message, statusCode, sizeBytes);

    /// <summary>A failure with NBomber's text status code, such as <c>"500"</c> or <c>"timeout"</c>.</summary>
    public static StepResult Fail(string statusCode, string? message = null, long sizeBytes = 0, FailureReason? reason = null) =>
        Number(statusCode) is { } code
            ? Fail(code, message, sizeBytes, reason)
            : Fail(0, message is null ? statusCode : $"{statusCode}: {message}", sizeBytes, reason);

    private static int? Number(string? statusCode) =>
        int.TryParse(statusCode, NumberStyles.None, CultureInfo.InvariantCulture, out int code) ? code : null;
}
