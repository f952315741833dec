using Probe.TestUtils;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Probe.Runner.Tests.Synthetics;

/// <summary>
/// A real <c>probe synthetics</c> process: its structured log read line by line, the ids of the results
/// it reported (each logged only once it is safe in the spool), its address, and signals.
/// </summary>
internal sealed class SyntheticsProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<JsonElement> _events = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly Task _reading;
    private readonly Task<string> _errors;
    private volatile bool _ended;

    private SyntheticsProcess(Process process)
    {
        _process = process;
        _reading = Task.Run(ReadAsync);
        _errors = process.StandardError.ReadToEndAsync();
    }

    public Uri? Address { get; private set; }

    public IEnumerable<JsonElement> Events => _events;

    /// <summary>The runner's process id.</summary>
    public int Id => _process.Id;

    public IReadOnlyList<Guid> ResultIds => _events.Where(e => e.GetProperty("event").GetString() == "result").Select(e => e.GetProperty("id").GetGuid()).ToArray();

    public static Task<SyntheticsProcess> StartAsync(string workingDirectory, params string[] args) =>
        LaunchAsync(new ProcessStartInfo("dotnet", Synthetics(args)), workingDirectory);

    /// <summary>Started through <c>nohup</c>, as people start a runner by hand: SIGHUP comes to it ignored.</summary>
    public static Task<SyntheticsProcess> StartUnderNohupAsync(string workingDirectory, params string[] args) =>
        LaunchAsync(new ProcessStartInfo("nohup", ["dotnet", .. Synthetics(args)]), workingDirectory);

    /// <summary>The arguments of <c>dotnet</c> for <c>probe synthetics</c> with <paramref name="args"/>, listening on a free port.</summary>
    private static string[] Synthetics(string[] args) => [Path.Combine(AppContext.BaseDirectory, "probe.dll"), "synthetics", .. args, "--listen", "127.0.0.1:0"];

    private static async Task<SyntheticsProcess> LaunchAsync(ProcessStartInfo start, string workingDirectory)
    {
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = new SyntheticsProcess(Process.Start(start)!);
        JsonElement started = await process.WaitForAsync(e => e.GetProperty("event").GetString() == "started", TimeSpan.FromSeconds(60));
        process.Address = new Uri(started.GetProperty("status_page").GetString()!);
        return process;
    }

    /// <summary>Waits for a log event matching <paramref name="match"/> (already logged or still to come).</summary>
    public async Task<JsonElement> WaitForAsync(Func<JsonElement, bool> match, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            if (_events.FirstOrDefault(match) is { ValueKind: not JsonValueKind.Undefined } found)
            {
                return found;
            }

            if (_ended)
            {
                throw new InvalidOperationException($"probe synthetics exited ({_process.ExitCode}) first: {await _errors}");
            }

            try
            {
                await _arrived.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no such event within {limit}; last events: {string.Join("\n", _events.TakeLast(5))}; events other than results: {Others()}; {Threads()}; {Signals()}");
            }
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> results have been reported.</summary>
    public Task WaitForResultsAsync(int count, TimeSpan limit) =>
        WaitForAsync(_ => ResultIds.Count >= count, limit); // counted afresh on every look: a counter in the predicate would count earlier events again

    /// <summary>Polls /readyz (a signal the runner gives) until <paramref name="done"/> holds for its answer.</summary>
    public async Task<JsonElement> WaitForReadinessAsync(Func<int, JsonElement, bool> done, TimeSpan limit)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var (_, body) = await Poll.UntilAsync(
            async cancellation =>
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri(Address!, "readyz"), cancellation);
                return ((int)response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(cancellation));
            },
            answer => done(answer.Item1, answer.Item2),
            limit);
        return body;
    }

    /// <summary>Sends a POSIX signal (TERM, HUP) by name.</summary>
    public async Task SignalAsync(string signal)
    {
        using Process kill = Process.Start("kill", ["-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {_process.Id} exited {kill.ExitCode}");
        }
    }

    /// <summary>SIGKILL: no chance to flush anything.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await _reading;
    }

    public async Task<int> WaitForExitAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        await _reading;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>Every event but results, with its time (errors whole, with their reasons): what the runner did besides checking.</summary>
    private string Others() =>
        string.Join(", ", _events.Where(e => e.GetProperty("event").GetString() != "result")
            .Select(e => e.GetProperty("level").GetString() == "error" ? e.GetRawText() : $"{e.GetProperty("ts").GetString()} {e.GetProperty("event").GetString()}"));

    /// <summary>The kernel's view of the process's signals (pending, blocked, ignored, caught), to tell a signal never delivered from one not acted on.</summary>
    private string Signals()
    {
        try
        {
            return "signals: " + string.Join(" ", File.ReadAllLines($"/proc/{_process.Id}/status").Where(l => l.StartsWith("Sig", StringComparison.Ordinal) || l.StartsWith("ShdPnd", StringComparison.Ordinal)));
        }
        catch (IOException e)
        {
            return $"signals unknown ({e.Message})";
        }
    }

    /// <summary>What the process's threads wait in (Linux /proc), to tell a hang from a process that has nothing to say.</summary>
    private string Threads()
    {
        try
        {
            var waits = Directory.GetDirectories($"/proc/{_process.Id}/task")
                .Select(t => $"{File.ReadAllText(Path.Combine(t, "comm")).Trim()}:{File.ReadAllText(Path.Combine(t, "wchan")).Trim()}")
                .GroupBy(w => w).Select(g => $"{g.Key} x{g.Count()}");
            return $"threads: {string.Join(", ", waits)}";
        }
        catch (IOException e)
        {
            return $"threads unknown ({e.Message})";
        }
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith('{'))
            {
                _events.Enqueue(JsonDocument.Parse(line).RootElement.Clone());
                _arrived.Release();
            }
        }

        // Standard output closes a moment before the process is reaped: wait for both, so a waiter woken now sees the exit (and its code and stderr), not a timeout.
        await _process.WaitForExitAsync();
        _ended = true;
        _arrived.Release();
    }
}
