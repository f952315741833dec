using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Probe.Engine.Results;
using Probe.Scenarios.Http;

namespace Probe.Scenarios.Fluent;

/// <summary>
/// NBomber's HTTP helpers for steps written in C#:
/// <code>
/// var request = Http.CreateRequest("POST", "http://127.0.0.1:5080/api/knowledge/search")
///     .WithHeader("Accept", "application/json")
///     .WithJsonBody(new { query = "haircut prices" });
/// return await Http.Send(client, request, ctx.Cancellation);
/// </code>
/// <see cref="Send"/> gives the step's outcome: the status code and the answer's size, a failure with
/// reason <c>status</c> for 400 and more, and Probe's failure reasons (dns, connect, tls, timeout,
/// reset…) when the exchange itself fails.
/// </summary>
public static class Http
{
    /// <summary>A request of <paramref name="method"/> (GET, POST…) to <paramref name="url"/>.</summary>
    public static HttpRequestMessage CreateRequest(string method, string url) => new(new HttpMethod(method), url);

    /// <summary>Adds a header (content headers such as Content-Type go with the body).</summary>
    public static HttpRequestMessage WithHeader(this HttpRequestMessage request, string name, string value)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.Headers.TryAddWithoutValidation(name, value))
        {
            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.Remove(name);
            request.Content.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>Sets the body.</summary>
    public static HttpRequestMessage WithBody(this HttpRequestMessage request, HttpContent content)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Content = content;
        return request;
    }

    /// <summary>Sets a JSON body (<c>application/json</c>).</summary>
    public static HttpRequestMessage WithJsonBody<T>(this HttpRequestMessage request, T value)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value));
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = Encoding.UTF8.WebName };
        return request;
    }

    /// <summary>Sends the request, reads the whole answer and returns the step's outcome (the request is disposed of).</summary>
    public static async ValueTask<StepResult> Send(HttpClient client, HttpRequestMessage request, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        using (request)
        {
            try
            {
                using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation).ConfigureAwait(false);
                byte[] body = await response.Content.ReadAsByteArrayAsync(cancellation).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                return response.IsSuccessStatusCode || status < 400
                    ? StepResult.Ok(status, body.Length)
                    : StepResult.Fail(FailureReason.Status, $"status was {status}", status, body.Length);
            }
            catch (Exception e) when (HttpFailures.Classify(e, timedOut: e is TaskCanceledException && !cancellation.IsCancellationRequested) is { } failure)
            {
                return StepResult.Fail(failure.Reason, failure.Message);
            }
        }
    }
}
