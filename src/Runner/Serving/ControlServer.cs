using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Probe.DemoTarget.Hosting;
using Probe.Engine.Running;
using Probe.Engine.Timing;
using Probe.Exporter.Reports;

namespace Probe.Runner.Serving;

/// <summary>
/// <c>probe run --control</c>: changes the load of a running run over HTTP. <c>GET /load</c> answers
/// each scenario's load and the changes so far; <c>PUT /load</c> (or POST) with
/// <c>{"scenario": "ramp-50", "copies": 80}</c>, <c>{"scenario": "api", "rate": 200}</c> (per second,
/// or a string such as "12000/m") or <c>{"scenario": "api", "plan": true}</c> applies a change.
/// Answers are JSON; a refused change is 400, 404, 409 or (before the load starts or after it ends)
/// 503 with <c>{"error": "…"}</c>.
/// </summary>
internal sealed class ControlServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ControlServer(WebApplication app) => _app = app;

    /// <summary>The base address it listens on, ending in '/'.</summary>
    public Uri Address => QuietKestrel.Address(_app);

    /// <exception cref="IOException">The address cannot be bound.</exception>
    public static async Task<ControlServer> StartAsync(LoadControl control, IPEndPoint listen, string? token, Action<LoadChange>? applied, CancellationToken cancellation)
    {
        WebApplication app = QuietKestrel.Create(listen);
        app.MapGet("/load", async (HttpContext context) =>
        {
            if (!MetricsServer.Refuse(context, token))
            {
                await Answer(context, StatusCodes.Status200OK, w => WriteState(w, control));
            }
        });
        app.MapMethods("/load", [HttpMethods.Put, HttpMethods.Post], async (HttpContext context) =>
        {
            if (MetricsServer.Refuse(context, token))
            {
                return;
            }

            LoadRequest request;
            try
            {
                request = await ReadRequestAsync(context);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
                await Error(context, StatusCodes.Status400BadRequest, e.Message);
                return;
            }

            try
            {
                LoadChange change = control.Apply(request);
                applied?.Invoke(change);
                await Answer(context, StatusCodes.Status200OK, w =>
                {
                    w.WritePropertyName("applied");
                    SummaryJson.WriteLoadChange(w, change);
                });
            }
            catch (LoadControlException e)
            {
                int status = e.Refusal switch
                {
                    LoadRefusal.BadRequest => StatusCodes.Status400BadRequest,
                    LoadRefusal.UnknownScenario => StatusCodes.Status404NotFound,
                    LoadRefusal.NotRunning => StatusCodes.Status503ServiceUnavailable,
                    _ => StatusCodes.Status409Conflict,
                };
                await Error(context, status, e.Message);
            }
        });
        await app.StartAsync(cancellation);
        return new ControlServer(app);
    }

    /// <summary>A rate: a number per second, or N per a duration as suites write rates ("12000/m", "10/5s").</summary>
    /// <exception cref="FormatException">Anything else.</exception>
    public static double ParseRate(string text)
    {
        string[] parts = text.Trim().Split('/');
        string per = parts.Length == 2 ? parts[1].Trim() : "1s";
        TimeSpan interval = TimeSpan.Zero;
        bool ok = parts.Length <= 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _)
            && per.Length > 0
            && DurationText.TryParse(char.IsAsciiDigit(per[0]) ? per : "1" + per, out interval, out _)
            && interval > TimeSpan.Zero;
        return ok
            ? double.Parse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture) / interval.TotalSeconds
            : throw new FormatException($"a rate is a number of iterations per second, or N per a duration such as 12000/m or 10/5s; found '{text}'");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static async Task<LoadRequest> ReadRequestAsync(HttpContext context)
    {
        using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        JsonElement root = body.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("scenario", out JsonElement scenario) || scenario.ValueKind != JsonValueKind.String)
        {
            throw new FormatException("the body is a JSON object naming the scenario and one change: {\"scenario\": \"ramp-50\", \"copies\": 80}, {\"scenario\": \"api\", \"rate\": 200} or {\"scenario\": \"api\", \"plan\": true}");
        }

        int? copies = null;
        if (root.TryGetProperty("copies", out JsonElement c))
        {
            copies = c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out int n) ? n : throw new FormatException($"copies is a whole number, not {c.GetRawText()}");
        }

        double? rate = null;
        if (root.TryGetProperty("rate", out JsonElement r))
        {
            rate = r.ValueKind switch
            {
                JsonValueKind.Number => r.GetDouble(),
                JsonValueKind.String => ParseRate(r.GetString()!),
                _ => throw new FormatException($"rate is a number per second or a string such as \"12000/m\", not {r.GetRawText()}"),
            };
        }

        bool plan = root.TryGetProperty("plan", out JsonElement p) && (p.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? p.GetBoolean()
            : throw new FormatException($"plan is true (back to the plan), not {p.GetRawText()}"));
        return new LoadRequest(scenario.GetString()!, copies, rate, plan, $"control from {context.Connection.RemoteIpAddress}");
    }

    private static void WriteState(Utf8JsonWriter w, LoadControl control)
    {
        w.WriteBoolean("running", control.Running);
        w.WriteStartArray("scenarios");
        foreach (ScenarioLoad load in control.Current())
        {
            w.WriteStartObject();
            w.WriteString("scenario", load.Scenario);
            w.WriteString("state", load.State);
            w.WriteNumber("planned", Math.Round(load.Planned, 3));
            if (load.Controlled is { } set)
            {
                w.WriteNumber("controlled", set);
            }
            else
            {
                w.WriteNull("controlled");
            }

            w.WriteString("phase", load.Phase);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("changes");
        foreach (LoadChange change in control.Changes)
        {
            SummaryJson.WriteLoadChange(w, change);
        }

        w.WriteEndArray();
    }

    private static Task Error(HttpContext context, int status, string message) =>
        Answer(context, status, w => w.WriteString("error", message));

    private static async Task Answer(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.Length;
        await context.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted);
    }
}
