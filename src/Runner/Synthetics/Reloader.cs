using Probe.Runner.Input;
using Probe.Scenarios.Suite;

namespace Probe.Runner.Synthetics;

/// <summary>
/// Reloads the suite on SIGHUP or when its file changes: the new file is validated and bound first;
/// a bad edit is logged with every error and rejected, and the running configuration carries on.
/// </summary>
internal sealed class Reloader
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly string _file;
    private readonly IReadOnlyDictionary<string, string> _targets;
    private readonly SyntheticsRunner _runner;
    private readonly SyntheticsLog _log;
    private readonly string[] _regions;

    public Reloader(string file, IReadOnlyDictionary<string, string> targets, SyntheticsRunner runner, SyntheticsLog log, string[] regions)
    {
        _file = file;
        _targets = targets;
        _runner = runner;
        _log = log;
        _regions = regions;
    }

    /// <summary>Polls the file's size and time of last write, reloading when they change.</summary>
    public async Task WatchAsync(TimeSpan every, TimeProvider time, CancellationToken stop)
    {
        (DateTime, long) Stamp() => File.Exists(_file) ? (File.GetLastWriteTimeUtc(_file), new FileInfo(_file).Length) : default;
        var seen = Stamp();
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = Stamp();
                if (now != seen)
                {
                    seen = now;
                    await ReloadAsync("file changed", stop);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>
    /// A reload asked for from outside (SIGHUP): logged at once, so a request is visible even while an
    /// earlier reload still runs, then carried out in turn on the thread pool.
    /// </summary>
    public void Request(string why, CancellationToken cancellation)
    {
        _log.Info("reload_requested", ("why", why));
        _ = Task.Run(() => ReloadAsync(why, cancellation), CancellationToken.None);
    }

    public async Task ReloadAsync(string why, CancellationToken cancellation)
    {
        try
        {
            await _one.WaitAsync(cancellation);
        }
        catch (OperationCanceledException)
        {
            return; // stopping: nothing to reload
        }

        bool swapping = false;
        try
        {
            using var errors = new StringWriter();
            SuiteDefinition? suite = SuiteInput.Load(_file, _targets, errors);
            string[] missing = suite is null ? [] : _regions.Where(r => suite.Regions.Count > 0 && !suite.Regions.Contains(r)).ToArray();
            if (suite is null || missing.Length > 0)
            {
                string[] lines = suite is null
                    ? errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    : [$"the suite no longer declares region(s) {string.Join(", ", missing)} that this runner serves"];
                _log.Error("reload_rejected", ("why", why), ("file", _file), ("errors", lines), ("note", "the previous configuration keeps running"));
                return;
            }

            IReadOnlyDictionary<string, RegionRuntime> bound;
            try
            {
                bound = await _runner.BindAsync(suite, cancellation);
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentException)
            {
                _log.Error("reload_rejected", ("why", why), ("file", _file), ("errors", new[] { e.Message }), ("note", "the previous configuration keeps running"));
                return;
            }

            swapping = true;
            _runner.Use(suite, bound);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            // Not the file's fault (an I/O error reading it, a fault of Probe's own): said, never swallowed by a reload nobody awaits.
            _log.Error("reload_failed", ("why", why), ("file", _file), ("error", $"{e.GetType().Name}: {e.Message}"),
                ("note", swapping ? "the new configuration was bound but failed to take over: send SIGHUP to apply it again" : "the previous configuration keeps running"));
        }
        finally
        {
            _one.Release();
        }
    }
}
