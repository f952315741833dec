using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Knowledge;

namespace Probe.DemoTarget.Endpoints;

/// <summary>
/// <c>POST /guardrails/check {text}</c> says whether a message is allowed; <c>POST /api/chat {message}</c>
/// answers allowed messages and refuses (400, <c>refused: true</c>) prompt injection and personal data.
/// </summary>
internal static partial class GuardrailsEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/guardrails/check", (CheckRequest r) =>
        {
            (bool allowed, string? category) = Judge(r.Text ?? string.Empty);
            return Results.Json(new { allowed, category });
        });

        app.MapPost("/api/chat", (ChatRequest r) =>
        {
            (bool allowed, string? category) = Judge(r.Message ?? string.Empty);
            if (!allowed)
            {
                return Results.Json(new { refused = true, category, message = "I can't help with that request." }, statusCode: StatusCodes.Status400BadRequest);
            }

            var found = KnowledgeBase.Search(r.Message ?? string.Empty, 1);
            return Results.Json(new { refused = false, reply = found.Count > 0 ? found[0].Document.Content : "How can I help you with your account?" });
        });
    }

    internal static (bool Allowed, string? Category) Judge(string text) =>
        Injection().IsMatch(text) ? (false, "prompt_injection")
        : Pii().IsMatch(text) ? (false, "pii")
        : (true, null);

    [GeneratedRegex(@"ignore (all |any )?(previous|prior|above) instructions|disregard (your|the) (rules|instructions)|reveal (your|the) system prompt|you are now (in )?(developer|dan) mode", RegexOptions.IgnoreCase)]
    private static partial Regex Injection();

    // A US social security number or a 13–16 digit card number.
    [GeneratedRegex(@"\b\d{3}-\d{2}-\d{4}\b|\b(?:\d[ -]?){13,16}\b")]
    private static partial Regex Pii();

    internal sealed record CheckRequest(string? Text);

    internal sealed record ChatRequest(string? Message);
}
