using System.Diagnostics;
using System.Globalization;
using Probe.Benchmarks.Engine;
using Probe.Engine.Histograms;
using Probe.Exporter.Prometheus;
using Probe.Runner.Stores;
using Probe.Runner.Synthetics;
using Probe.Scenarios.Suite;

namespace Probe.Benchmarks.Synthetics;

/// <summary>
/// <c>synthetics-schedule [checks-per-minute] [seconds] [regions] [period-seconds] [report-every-seconds]</c>: the whole synthetics
/// runner on the real clock — by default 100 scenarios × 5 regions, each an HTTP check every 3 s with 1 s
/// of jitter (10,000 checks a minute) against a target in a child process, results through the spool
/// into SQLite. Reports how late checks started beyond their intended (jittered) time, the runner's CPU
/// and memory, and the size of its /metrics. With <c>report-every-seconds</c> (a soak) it also prints, per
/// interval, the checks run, CPU per check, RSS and managed heap, so growth with uptime shows.
/// </summary>
internal static class ScheduleRun
{
    public static async Task<int> RunAsync(string[] args)
    {
        int perMinute = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        int seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 90;
        int regionCount = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5;
        int periodSeconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
        int reportEvery = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0;
        int scenarios = perMinute * periodSeconds / 60 / regionCount;
        using Process target = ClosedUsersRun.StartServer(out Uri? address);
        string folder = Path.Combine(Path.GetTempPath(), "probe-bench-" + Guid.NewGuid().ToString("n")[..8]);
        Directory.CreateDirectory(folder);
        string suiteFile = Path.Combine(folder, "suite.json");
        await File.WriteAllTextAsync(suiteFile, Suite(address!, scenarios, regionCount, periodSeconds));
        SuiteDefinition suite = SuiteLoader.Load(suiteFile);

        await using var store = new SqliteResultStore(Path.Combine(folder, "results.db"));
        await store.MigrateAsync(default);
        using ResultSpool spool = ResultSpool.Open(Path.Combine(folder, "spool"));
        var log = new SyntheticsLog(TextWriter.Null, TimeProvider.System, SyntheticsLog.LogLevel.Warn);
        var registry = new MetricRegistry();
        var metrics = new SyntheticsMetrics(registry, suite.Name, []);
        var options = new SyntheticsOptions { Regions = suite.Regions, Refresh = TimeSpan.FromSeconds(15) };
        await using var runner = new SyntheticsRunner(options, store, spool, log, metrics);
        await runner.ApplyAsync(suite, default);
        Console.WriteLine($"synthetics-schedule: {scenarios} scenarios x {regionCount} regions every {periodSeconds}s (jitter 1s) = {scenarios * regionCount * 60 / periodSeconds:N0} checks/minute for {seconds}s");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        Task running = runner.RunAsync(stop.Token);
        await Task.Delay(TimeSpan.FromSeconds(10)); // warm-up: JIT, connections, first SQLite pages
        var warmUp = new LatencyHistogram(1);
        warmUp.Add(runner.Scheduler.Counters.StartDelay);
        runner.Scheduler.Counters.StartDelay.Reset(); // the steady state is measured; the warm-up's starts are added back for the whole run
        using var self = Process.GetCurrentProcess();
        TimeSpan cpu0 = self.TotalProcessorTime;
        long started0 = runner.Scheduler.Counters.Started;
        long t0 = Stopwatch.GetTimestamp();
        if (reportEvery > 0)
        {
            await ReportIntervalsAsync(runner, running, TimeSpan.FromSeconds(reportEvery));
        }

        await running;
        self.Refresh();
        double wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        double cpu = (self.TotalProcessorTime - cpu0).TotalSeconds;
        long started = runner.Scheduler.Counters.Started - started0;
        long left = await runner.StopAsync();

        LatencySummary delay = runner.Scheduler.Counters.StartDelay.Summarize();
        warmUp.Add(runner.Scheduler.Counters.StartDelay);
        LatencySummary whole = warmUp.Summarize();
        Console.WriteLine($"  checks run   {started:N0} in {wall:0.0} s after warm-up = {started / wall * 60:N0}/minute; missed {runner.Scheduler.Counters.Missed}, overlap skipped {runner.Scheduler.Counters.OverlapSkipped}, spool left {left}");
        Console.WriteLine($"  start delay  beyond the intended (jittered) time, after warm-up: p50 {delay.P50Nanoseconds / 1e6:0.000} ms, p99 {delay.P99Nanoseconds / 1e6:0.000} ms, max {delay.MaxNanoseconds / 1e6:0.000} ms; whole run: p99 {whole.P99Nanoseconds / 1e6:0.000} ms, max {whole.MaxNanoseconds / 1e6:0.000} ms");
        Console.WriteLine($"  runner CPU   {cpu:0.00} s over {wall:0.0} s = {cpu / wall * 100:0.0} % of one core (the target runs in its own process), {cpu / started * 1e6:0} µs per check");
        Console.WriteLine($"  peak RSS     {self.PeakWorkingSet64 / 1048576.0:0} MB");
        var scrapes = new List<double>();
        long bytes = 0, lines = 0;
        for (int i = 0; i < 20; i++)
        {
            using var exposition = new MemoryStream();
            long s0 = Stopwatch.GetTimestamp();
            registry.WriteTo(exposition, openMetrics: false);
            scrapes.Add(Stopwatch.GetElapsedTime(s0).TotalMilliseconds);
            bytes = exposition.Length;
            lines = exposition.ToArray().Count(b => b == (byte)'\n');
        }

        scrapes.Sort();
        Console.WriteLine($"  /metrics     {bytes / 1048576.0:0.00} MB, {lines:N0} lines ({bytes / (scenarios * regionCount):N0} bytes per check and region); written in {scrapes[10]:0.0} ms median, {scrapes[^1]:0.0} ms max");
        target.StandardInput.Close();
        await target.WaitForExitAsync();
        Directory.Delete(folder, recursive: true);
        return 0;
    }

    /// <summary>Until <paramref name="running"/> ends: one line per interval with its checks, CPU, RSS and heap.</summary>
    private static async Task ReportIntervalsAsync(SyntheticsRunner runner, Task running, TimeSpan every)
    {
        using var self = Process.GetCurrentProcess();
        Console.WriteLine("  minute  checks/min  CPU %  µs/check  RSS MB  heap MB  gen2 GCs");
        long start = Stopwatch.GetTimestamp();
        TimeSpan cpu = self.TotalProcessorTime;
        long checks = runner.Scheduler.Counters.Started;
        while (await Task.WhenAny(running, Task.Delay(every)) != running)
        {
            self.Refresh();
            TimeSpan cpuNow = self.TotalProcessorTime;
            long checksNow = runner.Scheduler.Counters.Started;
            double cpuSeconds = (cpuNow - cpu).TotalSeconds;
            long ran = checksNow - checks;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {Stopwatch.GetElapsedTime(start).TotalMinutes,6:0.0}  {ran * 60 / every.TotalSeconds,10:N0}  {cpuSeconds / every.TotalSeconds * 100,5:0.0}  {cpuSeconds / Math.Max(1, ran) * 1e6,8:0}  {self.WorkingSet64 / 1048576.0,6:0}  {GC.GetTotalMemory(false) / 1048576.0,7:0.0}  {GC.CollectionCount(2),8}"));
            (cpu, checks) = (cpuNow, checksNow);
        }
    }

    private static string Suite(Uri target, int scenarios, int regions, int period)
    {
        string regionList = string.Join(", ", Enumerable.Range(0, regions).Select(r => $"\"r{r}\""));
        string scenarioList = string.Join(",\n", Enumerable.Range(0, scenarios).Select(i =>
            $"\"check-{i}\": {{ \"target\": \"t\", \"steps\": [{{ \"name\": \"health\", \"http\": {{ \"path\": \"/health\" }}, \"checks\": [\"status == 200\", \"body.status == \\\"healthy\\\"\"] }}], \"schedule\": {{ \"every\": \"{period}s\", \"jitter\": \"1s\" }} }}"));
        return $$"""
        { "version": 1, "suite": "bench", "targets": { "t": { "url": "{{target}}" } }, "regions": [{{regionList}}],
          "scenarios": { {{scenarioList}} } }
        """;
    }
}
