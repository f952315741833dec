using System.Diagnostics;
using System.Globalization;

namespace Probe.TestUtils;

/// <summary>
/// A real PostgreSQL for tests: <c>PROBE_TEST_PG</c> (a connection string) when set, otherwise a
/// throwaway cluster made with initdb in a temporary folder and started on a free loopback port
/// (as the <c>postgres</c> user when the tests run as root, since PostgreSQL refuses root). Fails,
/// never skips, when neither is possible: CI must have PostgreSQL.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string? _folder;
    private readonly string? _bin;

    private PostgresServer(string connectionString, string? folder, string? bin, int port)
    {
        ConnectionString = connectionString;
        _folder = folder;
        _bin = bin;
        Port = port;
    }

    public string ConnectionString { get; }

    public int Port { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("PROBE_TEST_PG") is { Length: > 0 } external)
        {
            return new PostgresServer(external, null, null, 0);
        }

        string bin = FindBin();
        string folder = Path.Combine(Path.GetTempPath(), "probe-pg-" + Guid.NewGuid().ToString("n")[..12]);
        Directory.CreateDirectory(folder);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres:postgres", folder], asPostgres: false);
        }

        await RunAsync(Path.Combine(bin, "initdb"), ["-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], asPostgres: true);
        int port = LoopbackPorts.Free();
        var server = new PostgresServer($"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=true", folder, bin, port);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server again after <see cref="StopAsync"/> (pg_ctl waits until it accepts connections).</summary>
    public Task StartAgainAsync() => RunAsync(
        Path.Combine(_bin!, "pg_ctl"),
        ["-D", Path.Combine(_folder!, "data"), "-l", Path.Combine(_folder!, "log"), "-w", "-t", "60",
         "-o", string.Create(CultureInfo.InvariantCulture, $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off"), "start"],
        asPostgres: true);

    /// <summary>Stops the server at once (an outage, as far as clients can tell). Commits are synchronous, so what a client saw committed survives.
    public Task StopAsync() => RunAsync(Path.Combine(_bin!, "pg_ctl"), ["-D", Path.Combine(_folder!, "data"), "-m", "immediate", "-w", "stop"], asPostgres: true);

    public async ValueTask DisposeAsync()
    {
        if (_folder is null)
        {
            return;
        }

        try
        {
            await StopAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        Directory.Delete(_folder, recursive: true);
    }

    private static string FindBin()
    {
        const string Root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(Root)
            ? Directory.GetDirectories(Root).OrderByDescending(d => int.TryParse(Path.GetFileName(d), out int v) ? v : 0).Select(d => Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries were not found under /usr/lib/postgresql: apt-get install postgresql, or set PROBE_TEST_PG to a connection string");
    }

    private static async Task RunAsync(string program, string[] args, bool asPostgres)
    {
        bool wrap = asPostgres && Environment.UserName == "root";
        var start = new ProcessStartInfo(wrap ? "runuser" : program, wrap ? ["-u", "postgres", "--", program, .. args] : args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed ({process.ExitCode}): {await errors}{await output}");
        }
    }
}
