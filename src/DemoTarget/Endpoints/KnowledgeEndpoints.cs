using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Probe.DemoTarget.Knowledge;

namespace Probe.DemoTarget.Endpoints;

/// <summary><c>POST /api/knowledge/search {query, shopId, limit}</c>, as in the barbershop seed's k6 script.</summary>
internal static class KnowledgeEndpoints
{
    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/knowledge/search", (SearchRequest request) =>
        {
            if (string.IsNullOrWhiteSpace(request.Query))
            {
                return Results.Json(new { error = "query is required" }, statusCode: StatusCodes.Status400BadRequest);
            }

            int limit = Math.Clamp(request.Limit ?? 3, 1, 20);
            var results = KnowledgeBase.Search(request.Query, limit)
                .Select(r => new { id = r.Document.Id, title = r.Document.Title, content = r.Document.Content, score = r.Score })
                .ToArray();
            return Results.Json(new { query = request.Query, shopId = request.ShopId ?? 1, results });
        });

    internal sealed record SearchRequest(string? Query, int? ShopId, int? Limit);
}
