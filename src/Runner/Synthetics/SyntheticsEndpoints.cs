using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.Runner.Stores;
using Probe.Runner.Results;
using Probe.Runner.Serving;

namespace Probe.Runner.Synthetics;

/// <summary>
/// What <c>probe synthetics</c> serves beside <c>/metrics</c>: <c>/healthz</c> (alive), <c>/readyz</c>
/// (503 once the store has been unreachable past the bound; both report the spool depth, and neither
/// needs the token, so orchestrators can probe them), the status page at <c>/</c>, and the JSON API
/// <c>/api/status</c> and <c>/api/results?scenario=&amp;region=&amp;failures=true&amp;limit=</c>.
/// </summary>
internal static class SyntheticsEndpoints
{
    public static Action<WebApplication> Map(SyntheticsRunner runner, string? token, TimeSpan refresh) => app =>
    {
        app.MapGet("/healthz", (HttpContext context) => Json(context, StatusCodes.Status200OK, json =>
        {
            json.WriteString("status", "alive");
            json.WriteNumber("spool_depth", runner.Pipeline.SpoolDepth);
        }));
        app.MapGet("/readyz", (HttpContext context) =>
        {
            bool ready = runner.Ready;
            return Json(context, ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, json =>
            {
                json.WriteString("status", ready ? "ready" : "not ready");
                json.WriteBoolean("store_up", runner.Pipeline.StoreFailingFor is null);
                json.WriteNumber("store_unreachable_seconds", runner.Pipeline.StoreFailingFor?.TotalSeconds ?? 0);
                json.WriteString("store_error", runner.Pipeline.LastStoreError);
                json.WriteNumber("spool_depth", runner.Pipeline.SpoolDepth);
                json.WriteBoolean("spool_writable", runner.Pipeline.SpoolWritable);
                json.WriteString("spool_error", runner.Pipeline.LastSpoolError);
                json.WriteBoolean("drain_alive", runner.Pipeline.DrainAlive);
                json.WriteNumber("scheduler_behind_seconds", runner.Scheduler.Behind.TotalSeconds);
                json.WriteNumber("quarantined", runner.Pipeline.QuarantinedCount);
            });
        });
        app.MapGet("/", async (HttpContext context) =>
        {
            if (MetricsServer.Refuse(context, token))
            {
                return;
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(StatusPage.Render(runner.Status, runner.Pipeline.SpoolDepth, runner.Pipeline.StoreFailingFor is null, refresh), context.RequestAborted);
        });
        app.MapGet("/api/status", (HttpContext context) => MetricsServer.Refuse(context, token) ? Task.CompletedTask : Json(context, StatusCodes.Status200OK, json =>
            StatusJson.WriteStatus(json, runner.Status, runner.Pipeline.SpoolDepth, runner.Pipeline.StoreFailingFor is null, runner.Ready), wrap: false));
        app.MapGet("/api/results", async (HttpContext context) =>
        {
            if (MetricsServer.Refuse(context, token))
            {
                return;
            }

            IQueryCollection q = context.Request.Query;
            int limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? Math.Clamp(n, 1, 1000) : 50;
            var query = new ResultQuery(Empty(q["scenario"]), Empty(q["region"]), q["failures"] == "true", limit);
            IReadOnlyList<SyntheticResult> results;
            try
            {
                results = await runner.Store.RecentAsync(query, context.RequestAborted);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Json(context, StatusCodes.Status503ServiceUnavailable, json => json.WriteString("error", $"the store did not answer: {e.Message}"));
                return;
            }

            await Json(context, StatusCodes.Status200OK, json => StatusJson.WriteResults(json, "results", results));
        });
    };

    private static string? Empty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static async Task Json(HttpContext context, int status, Action<Utf8JsonWriter> body, bool wrap = true)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            if (wrap)
            {
                json.WriteStartObject();
            }

            body(json);
            if (wrap)
            {
                json.WriteEndObject();
            }
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(context.Response.Body, context.RequestAborted);
    }
}
