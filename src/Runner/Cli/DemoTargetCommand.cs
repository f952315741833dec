using System.CommandLine;
using Probe.DemoTarget;
using Probe.DemoTarget.Faults;
using Probe.Engine.Verdicts;

namespace Probe.Runner.Cli;

/// <summary><c>probe demo-target</c>: runs the built-in stand-in service on loopback, with faults, until stopped.</summary>
internal static class DemoTargetCommand
{
    public static Command Create()
    {
        var listen = new Option<string>("--listen") { Description = "Loopback address and port to listen on.", DefaultValueFactory = _ => "127.0.0.1:5080" };
        var latency = new Option<string?>("--latency") { Description = "Added latency: fixed:50ms, uniform:10ms..50ms, normal:100ms,20ms or exponential:40ms." };
        var errorRate = new Option<double?>("--error-rate") { Description = "Share of requests answered 500, exactly (0.2: every fifth)." };
        var dropRate = new Option<double?>("--drop-rate") { Description = "Share of connections dropped without an answer, exactly." };
        var stallEvery = new Option<string?>("--stall-every") { Description = "Stall the service at the start of every period, such as 5s." };
        var stallFor = new Option<string?>("--stall-for") { Description = "How long each stall lasts, such as 1s." };
        var rateLimit = new Option<int?>("--rate-limit") { Description = "Requests per window a client (X-Client-Id) may make on /api/*; 0 turns it off. Default 100." };
        var rateWindow = new Option<string?>("--rate-limit-window") { Description = "The rate-limit window. Default 60s." };
        var ttft = new Option<string?>("--ttft") { Description = "LLM and RAG answers: time to the first token. Default 50ms." };
        var gap = new Option<string?>("--token-gap") { Description = "LLM and RAG answers: gap between tokens. Default 5ms." };
        var slowShare = new Option<double?>("--slow-share") { Description = "Share of LLM and RAG answers paced slowly, exactly (0.2: every fifth), with --slow-ttft and --slow-token-gap." };
        var slowTtft = new Option<string?>("--slow-ttft") { Description = "Slow answers: time to the first token. Default: as --ttft." };
        var slowGap = new Option<string?>("--slow-token-gap") { Description = "Slow answers: gap between tokens. Default: as --token-gap." };
        var command = new Command("demo-target", "Run the built-in demo service (the seeds' APIs, OpenAI-compatible /v1/chat/completions and /v1/completions, Anthropic-style /v1/messages) on loopback, with fault injection; change faults at run time with PUT /_demo/faults.")
        {
            listen, latency, errorRate, dropRate, stallEvery, stallFor, rateLimit, rateWindow, ttft, gap, slowShare, slowTtft, slowGap,
        };
        command.SetAction(async (parse, cancellation) =>
        {
            FaultSettings faults;
            try
            {
                faults = new FaultChange(
                    parse.GetValue(latency), parse.GetValue(errorRate), parse.GetValue(dropRate), parse.GetValue(stallEvery), parse.GetValue(stallFor),
                    parse.GetValue(rateLimit), parse.GetValue(rateWindow), parse.GetValue(ttft), parse.GetValue(gap),
                    parse.GetValue(slowShare), parse.GetValue(slowTtft), parse.GetValue(slowGap)).ApplyTo(new FaultSettings());
                if (faults.Problems().FirstOrDefault() is { } problem)
                {
                    throw new ArgumentException(problem);
                }

                if (faults.StallEvery is not null && faults.StallFor == TimeSpan.Zero)
                {
                    throw new ArgumentException("--stall-every needs --stall-for, such as --stall-every 5s --stall-for 1s");
                }

                await using DemoTargetHost host = await DemoTargetHost.StartAsync(new DemoTargetOptions { Listen = parse.GetValue(listen)!, Faults = faults }, cancellation);
                Console.WriteLine($"demo target listening on {host.Address} (faults: latency {faults.Latency}, error rate {faults.ErrorRate}, drop rate {faults.DropRate}); Ctrl+C stops it");
                try
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, cancellation);
                }
                catch (OperationCanceledException)
                {
                    Console.WriteLine("demo target stopped");
                }

                return (int)ExitCode.Passed;
            }
            catch (Exception e) when (e is FormatException or ArgumentException or IOException)
            {
                await Console.Error.WriteLineAsync($"probe demo-target: {e.Message.Split(" (Parameter", StringSplitOptions.None)[0]}");
                return (int)ExitCode.BadInput;
            }
        });
        return command;
    }
}
