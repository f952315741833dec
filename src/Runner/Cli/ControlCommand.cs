using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Probe.Engine.Timing;
using Probe.Engine.Verdicts;
using Probe.Runner.Input;
using Probe.Runner.Serving;

namespace Probe.Runner.Cli;

/// <summary><c>probe control ADDRESS [SCENARIO] --copies N | --rate R | --plan</c>: shows or changes the load of a <c>probe run --control</c>.</summary>
internal static class ControlCommand
{
    public static Command Create()
    {
        var address = new Argument<string>("address") { Description = "Where the run listens: its --control ADDRESS:PORT, such as 127.0.0.1:6565." };
        var scenario = new Argument<string?>("scenario") { Description = "The scenario to change; without it, show every scenario's load and the changes so far.", Arity = ArgumentArity.ZeroOrOne };
        var copies = new Option<int?>("--copies", "-c") { Description = "Run this many copies (a scenario in a closed phase, 0 to 10000)." };
        var rate = new Option<string?>("--rate", "-r") { Description = "Start this many iterations per second (a scenario in an open phase), or N per a duration such as 12000/m or 10/5s." };
        var plan = new Option<bool>("--plan") { Description = "Take the scenario's change back: its plan decides again." };
        var token = new Option<string?>("--token-file") { Description = "A file holding the bearer token the run's --control-token-file names." };
        var json = new Option<bool>("--json") { Description = "Print the run's JSON answer instead of text." };
        var wait = new Option<string>("--wait", "-w") { Description = "Wait up to this long for the run to listen and start its load (for scripts that start 'probe run --control' in the background), such as 60s.", DefaultValueFactory = _ => "0s" };
        var command = new Command("control", "Show or change the load of a run started with 'probe run --control': copies in a closed phase, the rate in an open one. A change holds over the following phases of the same model until --plan or a pause.")
        {
            address, scenario, copies, rate, plan, token, json, wait,
        };
        command.SetAction((parse, cancellation) => RunAsync(
            parse.GetValue(address)!, parse.GetValue(scenario), parse.GetValue(copies), parse.GetValue(rate), parse.GetValue(plan), parse.GetValue(token), parse.GetValue(json), parse.GetValue(wait)!, cancellation));
        return command;
    }

    private static async Task<int> RunAsync(string address, string? scenario, int? copies, string? rate, bool plan, string? tokenFile, bool json, string waitText, CancellationToken cancellation)
    {
        int changes = (copies is null ? 0 : 1) + (rate is null ? 0 : 1) + (plan ? 1 : 0);
        string? problem = (scenario, changes) switch
        {
            (null, > 0) => "name the scenario to change: probe control ADDRESS SCENARIO --copies N",
            (not null, 0) => $"say how to change '{scenario}': --copies N, --rate R or --plan",
            (_, > 1) => "give one of --copies, --rate and --plan",
            _ => null,
        };
        double? perSecond = null;
        try
        {
            perSecond = rate is null ? null : ControlServer.ParseRate(rate);
        }
        catch (FormatException e)
        {
            problem ??= $"--rate: {e.Message}";
        }

        if (!DurationText.TryParse(waitText, out TimeSpan wait, out _) || wait < TimeSpan.Zero)
        {
            problem ??= $"--wait takes a duration such as 60s; found '{waitText}'";
        }

        if (problem is not null)
        {
            await Console.Error.WriteLineAsync($"probe control: {problem}");
            return (int)ExitCode.BadInput;
        }

        Uri url;
        string? token;
        try
        {
            url = LoadUrl(address);
            token = await ServingInput.TokenAsync(tokenFile, "--token-file", cancellation);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"probe control: {e.Message}");
            return (int)ExitCode.BadInput;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        string body = scenario is null ? string.Empty : Body(scenario, copies, perSecond, plan);
        DateTimeOffset until = TimeProvider.System.GetUtcNow() + wait;
        while (true)
        {
            using var message = new HttpRequestMessage(scenario is null ? HttpMethod.Get : HttpMethod.Put, url);
            if (token is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (scenario is not null)
            {
                message.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            bool waiting = TimeProvider.System.GetUtcNow() < until;
            try
            {
                using HttpResponseMessage response = await http.SendAsync(message, cancellation);
                string answer = await response.Content.ReadAsStringAsync(cancellation);

                // Before the load starts a change is refused with 503, and the state says it is not running.
                bool early = response.StatusCode == HttpStatusCode.ServiceUnavailable || (scenario is null && answer.Contains("\"running\": false", StringComparison.Ordinal));
                if (!(early && waiting))
                {
                    return await Print(response, answer, url, json);
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellation.IsCancellationRequested)
            {
                if (!waiting)
                {
                    await Console.Error.WriteLineAsync($"probe control: cannot reach {url}: {e.Message} (is 'probe run --control {address}' running?{(wait > TimeSpan.Zero ? string.Empty : " --wait 60s waits for it to start")})");
                    return (int)ExitCode.BadInput;
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), TimeProvider.System, cancellation);
        }
    }

    private static async Task<int> Print(HttpResponseMessage response, string answer, Uri url, bool json)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            await Console.Error.WriteLineAsync($"probe control: refused: {url} needs the bearer token of the run's --control-token-file; give it with --token-file");
            return (int)ExitCode.BadInput;
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(answer).RootElement;
        }
        catch (JsonException)
        {
            await Console.Error.WriteLineAsync($"probe control: {url} answered {(int)response.StatusCode} without Probe's JSON: is it a 'probe run --control' endpoint?");
            return (int)ExitCode.BadInput;
        }

        if (!response.IsSuccessStatusCode)
        {
            string error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out JsonElement e) ? e.GetString() ?? string.Empty : $"{(int)response.StatusCode} {response.ReasonPhrase}";
            await Console.Error.WriteLineAsync($"probe control: refused: {error}");
            return (int)ExitCode.BadInput;
        }

        if (json)
        {
            Console.WriteLine(answer);
        }
        else if (root.TryGetProperty("applied", out JsonElement applied))
        {
            Console.WriteLine($"applied at {Seconds(applied)}: {applied.GetProperty("scenario").GetString()} {applied.GetProperty("change").GetString()}");
        }
        else
        {
            PrintState(root);
        }

        return (int)ExitCode.Passed;
    }

    private static void PrintState(JsonElement root)
    {
        Console.WriteLine(root.GetProperty("running").GetBoolean() ? "the run is running" : "the run is not running (not started yet, or ended)");
        foreach (JsonElement s in root.GetProperty("scenarios").EnumerateArray())
        {
            string state = s.GetProperty("state").GetString()!;
            string unit = state == "open" ? "/s" : state == "closed" ? " copies" : string.Empty;
            string load = s.GetProperty("controlled").ValueKind == JsonValueKind.Number
                ? $"{Number(s.GetProperty("controlled"))}{unit} (changed; the plan says {Number(s.GetProperty("planned"))})"
                : $"{Number(s.GetProperty("planned"))}{unit} (as planned)";
            Console.WriteLine($"  {s.GetProperty("scenario").GetString()}: {state}{(state is "open" or "closed" ? $", {load}" : string.Empty)}{(s.GetProperty("phase").GetString() is { } phase ? $"; phase {phase}" : string.Empty)}");
        }

        foreach (JsonElement c in root.GetProperty("changes").EnumerateArray())
        {
            Console.WriteLine($"  change at {Seconds(c)}: {c.GetProperty("scenario").GetString()} {c.GetProperty("change").GetString()} ({c.GetProperty("source").GetString()})");
        }
    }

    private static string Seconds(JsonElement change) =>
        string.Create(CultureInfo.InvariantCulture, $"{change.GetProperty("at_s").GetDouble():0.0}s");

    private static string Number(JsonElement value) =>
        value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture);

    private static string Body(string scenario, int? copies, double? perSecond, bool plan)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("scenario", scenario);
            if (copies is { } n)
            {
                w.WriteNumber("copies", n);
            }

            if (perSecond is { } r)
            {
                w.WriteNumber("rate", r);
            }

            if (plan)
            {
                w.WriteBoolean("plan", true);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The /load URL of ADDRESS:PORT or http://ADDRESS:PORT.</summary>
    private static Uri LoadUrl(string address)
    {
        string text = address.Contains("://", StringComparison.Ordinal) ? address : $"http://{address}";
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && url.Scheme is "http" or "https"
            ? new Uri(url, "/load")
            : throw new ArgumentException($"the address is the run's --control ADDRESS:PORT, such as 127.0.0.1:6565; found '{address}'");
    }
}
