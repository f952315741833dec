using System.Globalization;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Timing;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Probe.Runner.Output;

/// <summary>
/// Live progress on a terminal (Spectre.Console): a table redrawn every second with, per scenario,
/// its load phase, the load now (copies or arrivals/s), iterations per second, iterations done, error
/// rate and latency p50/p95/p99, under a line with elapsed and planned time and the time left.
/// </summary>
internal sealed class LiveProgress
{
    private readonly Lock _lock = new();
    private RunProgress? _latest;

    public void OnProgress(RunProgress progress)
    {
        lock (_lock)
        {
            _latest = progress;
        }
    }

    /// <summary>Shows the live table while <paramref name="run"/> runs, then leaves its last state on screen.</summary>
    public async Task<T> ShowWhileAsync<T>(Func<Task<T>> run)
    {
        T result = default!;
        await AnsiConsole.Live(Render()).AutoClear(false).StartAsync(async ctx =>
        {
            Task<T> running = run();
            while (!running.IsCompleted)
            {
                await Task.WhenAny(running, Task.Delay(TimeSpan.FromMilliseconds(250), TimeProvider.System));
                ctx.UpdateTarget(Render());
            }

            result = await running;
        });
        return result;
    }

    private IRenderable Render()
    {
        RunProgress? p;
        lock (_lock)
        {
            p = _latest;
        }

        var table = new Table().Border(TableBorder.Rounded).Expand();
        foreach (string column in new[] { "scenario", "phase", "load now", "it/s", "done", "errors", "p50", "p95", "p99" })
        {
            table.AddColumn(new TableColumn(column).RightAligned());
        }

        table.Columns[0].LeftAligned();
        table.Columns[1].LeftAligned();
        if (p is null)
        {
            return new Rows(new Markup("[grey]starting…[/]"), table);
        }

        foreach (ScenarioSnapshot s in p.Scenarios)
        {
            SecondSample? last = s.Iterations.Seconds.Count > 0 ? s.Iterations.Seconds[^1] : null;
            string errors = string.Create(CultureInfo.InvariantCulture, $"{s.Iterations.ErrorRate * 100:0.##}%");
            table.AddRow(
                Markup.Escape(s.Name),
                Markup.Escape(s.Phase ?? "done"),
                s.CurrentLoad.ToString("0.#", CultureInfo.InvariantCulture),
                (last?.Rps ?? 0).ToString("0.#", CultureInfo.InvariantCulture),
                s.Iterations.Count.ToString(CultureInfo.InvariantCulture),
                s.Iterations.Fail > 0 ? $"[red]{errors}[/]" : errors,
                DurationText.FormatNanoseconds(s.Iterations.Latency.P50Nanoseconds),
                DurationText.FormatNanoseconds(s.Iterations.Latency.P95Nanoseconds),
                DurationText.FormatNanoseconds(s.Iterations.Latency.P99Nanoseconds));
        }

        string percent = p.PlannedDuration is { } planned ? string.Create(CultureInfo.InvariantCulture, $" ({Math.Min(100, p.Elapsed / planned * 100):0}%)") : string.Empty;
        return new Rows(new Markup($"[bold]{Markup.Escape(ProgressPrinter.RunClock(p))}[/]{percent}"), table);
    }
}
