using System.Diagnostics;
using Npgsql;
using Probe.TestUtils;

namespace Probe.Runner.Tests.Docs;

/// <summary>
/// Runs every shell command README.md and docs/ show, as written, block by block, in a fresh folder
/// holding the repository's suite files: <c>probe …</c> and <c>dotnet run --project src/Runner -- …</c>
/// are this build's probe. A command must exit as its comment says (<c># exits 1: …</c>) or 0.
/// Commands that keep running (<c>demo-target</c>, <c>synthetics</c>) are started, must come up and
/// serve, run until the next such command or the end of their block, and must then stop cleanly on
/// SIGTERM (what Kubernetes sends; SIGINT is ignored by processes a non-interactive shell starts in
/// the background, which a CI runner may be). A line ending in <c>&amp;</c> runs in the background until <c>wait</c>. An
/// <c>export PROBE_COORDINATOR=…</c> or <c>PROBE_STORE=…</c> ("your PostgreSQL") gets the test's
/// PostgreSQL. The one command not run is <c>./test.sh</c>: it is what runs this test.
/// </summary>
[Collection(RealTimeCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class DocumentedCommandsTests(PostgresFixture postgres)
{
    private static readonly string[] LongRunning = ["demo-target", "synthetics"];

    public static TheoryData<string> Documents() => new(DocumentFiles());

    private static string[] DocumentFiles() =>
        ["README.md", .. Directory.GetFiles(Path.Combine(Repository.Root, "docs"), "*.md").Order(StringComparer.Ordinal).Select(f => Path.GetRelativePath(Repository.Root, f))];

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task Commands_InTheDocument_RunAsWritten(string document)
    {
        IReadOnlyList<IReadOnlyList<DocumentedCommand>> blocks = DocumentedCommand.Blocks(document, File.ReadAllText(Path.Combine(Repository.Root, document)));
        string folder = Workspace();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = $"{Path.Combine(folder, ".bin")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        foreach (IReadOnlyList<DocumentedCommand> block in blocks)
        {
            await RunBlockAsync(block, folder, environment);
        }

        // The documents' commands leave about 1.5 GB a run (what the `dotnet` commands they show restore and build) that
        // nothing reads again; a failed document's folder stays, with its logs, until the next test run's sweep.
        ProbeProcess.TryDelete(folder);
    }

    [Fact]
    public void Documents_ShowCommands_AndOnlyTheTestCommandIsLeftOut()
    {
        DocumentedCommand[] all = DocumentFiles().SelectMany(d => DocumentedCommand.Blocks(d, File.ReadAllText(Path.Combine(Repository.Root, d))).SelectMany(b => b)).ToArray();

        Assert.Contains(all, c => c.Text == "dotnet run --project src/Runner -- run --duration-scale 0.1");
        Assert.Equal(["./test.sh"], all.Where(IsTheTestCommand).Select(c => c.Text));
        Assert.All(all.Where(c => c.ProbeCommand is not null), c => Assert.Contains(c.ProbeCommand, (string[])["--help", "run", "synthetics", "validate", "demo-target", "report", "rules", "import", "control"]));
    }

    private async Task RunBlockAsync(IReadOnlyList<DocumentedCommand> block, string folder, Dictionary<string, string> environment)
    {
        Server? server = null;
        var background = new List<(DocumentedCommand Command, Process Process)>();
        try
        {
            foreach (DocumentedCommand command in block)
            {
                if (IsTheTestCommand(command))
                {
                    continue;
                }

                if (command.Text.StartsWith("export ", StringComparison.Ordinal))
                {
                    (string name, string value) = Export(command.Text["export ".Length..]);
                    environment[name] = name is "PROBE_COORDINATOR" or "PROBE_STORE" ? await PostgresUrlAsync() : value;
                    continue;
                }

                if (command.Text == "wait")
                {
                    foreach ((DocumentedCommand waited, Process process) in background)
                    {
                        await ExpectExitAsync(waited, process, folder);
                    }

                    background.Clear();
                    continue;
                }

                if (command.ProbeCommand is { } probe && LongRunning.Contains(probe))
                {
                    if (server is not null)
                    {
                        await server.StopAsync();
                    }

                    server = await Server.StartAsync(command, probe, folder, environment);
                    continue;
                }

                Process started = Start(command, folder, environment);
                if (command.Background)
                {
                    background.Add((command, started));
                }
                else
                {
                    await ExpectExitAsync(command, started, folder);
                }
            }

            if (background.Count > 0)
            {
                Assert.Fail($"{background[0].Command} was left running: a block with '&' ends with 'wait'");
            }

            if (server is not null)
            {
                await server.StopAsync();
                server = null;
            }
        }
        finally
        {
            server?.Kill();
            foreach ((_, Process process) in background.Where(b => !b.Process.HasExited))
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static bool IsTheTestCommand(DocumentedCommand command) => command.Text == "./test.sh" || command.Text.StartsWith("./test.sh ", StringComparison.Ordinal);

    /// <summary>A line runs in bash, in the workspace (or at the repository root when it builds from src/).</summary>
    private static Process Start(DocumentedCommand command, string folder, Dictionary<string, string> environment, bool exec = false)
    {
        bool fromSource = command.Text.Contains(" src/", StringComparison.Ordinal) && command.ProbeCommand is null;
        string log = Path.Combine(folder, ".logs", $"{Path.GetFileName(command.File)}-{command.Line}.log");
        string line = exec ? $"exec {command.Text} > '{log}' 2>&1" : $"{{ {command.Text}\n}} > '{log}' 2>&1";
        var start = new ProcessStartInfo("bash", ["-c", line])
        {
            WorkingDirectory = fromSource ? Repository.Root : folder,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        if (fromSource)
        {
            // A tool installed "globally" goes to a .NET home of the test's own, not the machine's.
            start.Environment["DOTNET_CLI_HOME"] = Path.Combine(folder, ".home");
        }

        return Process.Start(start)!;
    }

    private static async Task ExpectExitAsync(DocumentedCommand command, Process process, string folder)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(limit.Token);
        Assert.True(process.ExitCode == command.ExpectedExit, $"{command} exited {process.ExitCode}, not {command.ExpectedExit}:\n{Log(command, folder)}");
    }

    private static string Log(DocumentedCommand command, string folder)
    {
        string log = Path.Combine(folder, ".logs", $"{Path.GetFileName(command.File)}-{command.Line}.log");
        return File.Exists(log) ? string.Join('\n', File.ReadAllLines(log).TakeLast(40)) : "(no output)";
    }

    private static (string Name, string Value) Export(string assignment)
    {
        int equals = assignment.IndexOf('=', StringComparison.Ordinal);
        return (assignment[..equals], assignment[(equals + 1)..].Trim('\'', '"'));
    }

    private async Task<string> PostgresUrlAsync()
    {
        var database = new NpgsqlConnectionStringBuilder(await postgres.CreateDatabaseAsync());
        return $"postgres://{database.Username}@{database.Host}:{database.Port}/{database.Database}";
    }

    /// <summary>A fresh folder with the repository's suite files, and <c>probe</c> and <c>dotnet</c> that run this build.</summary>
    private static string Workspace()
    {
        string folder = ProbeProcess.TempFolder();
        File.Copy(Path.Combine(Repository.Root, "scenarios.json"), Path.Combine(folder, "scenarios.json"));
        File.Copy(Path.Combine(Repository.Root, "scenarios.schema.json"), Path.Combine(folder, "scenarios.schema.json"));
        Directory.CreateDirectory(Path.Combine(folder, "examples"));
        foreach (string example in Directory.GetFiles(Path.Combine(Repository.Root, "examples"), "*.json"))
        {
            File.Copy(example, Path.Combine(folder, "examples", Path.GetFileName(example)));
        }

        Directory.CreateDirectory(Path.Combine(folder, "examples", "k6"));
        foreach (string script in Directory.GetFiles(Path.Combine(Repository.Root, "examples", "k6"), "*.js"))
        {
            File.Copy(script, Path.Combine(folder, "examples", "k6", Path.GetFileName(script)));
        }

        Directory.CreateDirectory(Path.Combine(folder, ".logs"));
        string bin = Directory.CreateDirectory(Path.Combine(folder, ".bin")).FullName;
        string dotnet = RealDotnet();
        string probe = Path.Combine(AppContext.BaseDirectory, "probe.dll");
        Script(Path.Combine(bin, "probe"), $"#!/bin/sh\nexec '{dotnet}' '{probe}' \"$@\"\n");
        Script(Path.Combine(bin, "dotnet"), $"#!/bin/sh\nif [ \"$1\" = run ] && [ \"$2\" = --project ] && [ \"$3\" = src/Runner ] && [ \"$4\" = -- ]; then shift 4; exec '{bin}/probe' \"$@\"; fi\nexec '{dotnet}' \"$@\"\n");
        return folder;
    }

    private static void Script(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    private static string RealDotnet() =>
        Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(d => Path.Combine(d, "dotnet")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("dotnet is not on PATH");

    /// <summary>A documented command that keeps running: it must come up and serve, and stop cleanly on SIGTERM.</summary>
    private sealed class Server(DocumentedCommand command, Process process, string folder)
    {
        public static async Task<Server> StartAsync(DocumentedCommand command, string kind, string folder, Dictionary<string, string> environment)
        {
            var server = new Server(command, Start(command, folder, environment, exec: true), folder);
            string listen = command.Option("--listen") ?? (kind == "demo-target" ? "127.0.0.1:5080" : "127.0.0.1:9464");
            using var http = new HttpClient { BaseAddress = new Uri($"http://{listen}/"), Timeout = TimeSpan.FromSeconds(5) };
            string ready = kind == "demo-target" ? "health" : "readyz";
            await server.UntilAsync(http, ready, body => true);
            if (kind == "synthetics")
            {
                // Serving is not enough: a check has run and its result is on /metrics.
                await server.UntilAsync(http, "metrics", body => body.Contains("probe_check_runs_total{", StringComparison.Ordinal));
            }

            return server;
        }

        public async Task StopAsync()
        {
            if (!process.HasExited)
            {
                using Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
                await kill.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(limit.Token);
            Assert.True(process.ExitCode == 0, $"{command} exited {process.ExitCode} when stopped:\n{Log(command, folder)}");
        }

        public void Kill()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        private async Task UntilAsync(HttpClient http, string path, Func<string, bool> done)
        {
            try
            {
                await Poll.UntilAsync(
                    async cancellation =>
                    {
                        Assert.False(process.HasExited, $"{command} exited {(process.HasExited ? process.ExitCode : 0)} instead of serving:\n{Log(command, folder)}");
                        try
                        {
                            using HttpResponseMessage response = await http.GetAsync(path, cancellation);
                            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(cancellation) : null;
                        }
                        catch (HttpRequestException)
                        {
                            return null;
                        }
                    },
                    body => body is not null && done(body),
                    TimeSpan.FromSeconds(90));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{command}: /{path} did not answer as expected: {e.Message}\n{Log(command, folder)}", e);
            }
        }
    }
}
