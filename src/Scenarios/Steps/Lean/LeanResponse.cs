namespace Probe.Scenarios.Steps.Lean;

/// <summary>What the lean client read: status, body size, the body text when asked for, headers when asked for, and when the headers were complete.</summary>
internal readonly record struct LeanResponse(int Status, long BodyBytes, string? Body, Dictionary<string, string>? Headers, long HeadersAt, string? Location);
