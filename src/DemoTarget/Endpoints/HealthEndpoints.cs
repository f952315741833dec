using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Knowledge;

namespace Probe.DemoTarget.Endpoints;

/// <summary>The three services' health endpoints of the seeds (api, rag, guardrails), plus /api/health.</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", () => Results.Json(new { status = "healthy", service = "api", version = "demo" }));
        app.MapGet("/api/health", () => Results.Json(new { status = "healthy", service = "api", version = "demo" }));
        app.MapGet("/rag/health", () => Results.Json(new { status = "healthy", service = "rag", documents = KnowledgeBase.Documents.Count }));
        app.MapGet("/guardrails/health", () => Results.Json(new { status = "healthy", service = "guardrails" }));
    }
}
