namespace Probe.Scenarios.Http.Lean;

/// <summary>
/// What the lean client read: status, body size, the body text when asked for, headers when asked for, when the headers were complete,
/// the connect timings when a new connection was opened (default otherwise), and how long the request's send was held for the rest of
/// its readiness loop's batch (timestamp ticks; client time, not the target's).
/// </summary>
internal readonly record struct LeanResponse(int Status, long BodyBytes, string? Body, Dictionary<string, string>? Headers, long HeadersAt, string? Location, ConnectTiming Connect, long SendHeld = 0);
