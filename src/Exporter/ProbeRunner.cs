using Probe.Engine.Core;
using Probe.Engine.Running;
using Probe.Engine.Stats;
using Probe.Engine.Verdicts;
using Probe.Exporter.Reports;

namespace Probe.Exporter;

/// <summary>
/// Runs scenarios written in C# the way NBomber's runner does, and writes the same report folder as
/// <c>probe run</c>:
/// <code>
/// RunResult result = ProbeRunner.RegisterScenarios(search, browse)
///     .WithTestSuite("shop").WithReportFolder("results/shop")
///     .Run();
/// return (int)result.ExitCode;
/// </code>
/// The verdict is the result's: every threshold held (exit 0), one failed (1), or the run was invalid
/// or aborted (3).
/// </summary>
public sealed class ProbeRunner
{
    private readonly IReadOnlyList<ScenarioDefinition> _scenarios;
    private string _suite = "code";
    private string? _folder;
    private IReadOnlyList<ReportFormat>? _formats = ReportFormats.All;
    private RunOptions _options = new();
    private Func<IReadOnlyList<CheckReport>>? _checks;
    private Func<IReadOnlyList<RagStepReport>>? _rag;
    private TextWriter? _console = Console.Out;

    private ProbeRunner(IReadOnlyList<ScenarioDefinition> scenarios) => _scenarios = scenarios;

    /// <summary>The scenarios to run together (NBomber's <c>NBomberRunner.RegisterScenarios</c>).</summary>
    public static ProbeRunner RegisterScenarios(params IEnumerable<ScenarioDefinition> scenarios)
    {
        ScenarioDefinition[] all = scenarios.ToArray();
        return all.Length > 0 ? new ProbeRunner(all) : throw new ArgumentException("Register at least one scenario.", nameof(scenarios));
    }

    /// <summary>The suite's name in the reports (default <c>code</c>).</summary>
    public ProbeRunner WithTestSuite(string suite)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(suite);
        _suite = suite;
        return this;
    }

    /// <summary>Where the reports go (default <c>results/&lt;UTC timestamp&gt;</c> in the current folder).</summary>
    public ProbeRunner WithReportFolder(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        _folder = folder;
        return this;
    }

    /// <summary>Which files to write, by the names of <c>probe run --format</c>: <c>html</c>, <c>md</c>, <c>csv</c>, <c>junit</c>, <c>json</c>…</summary>
    /// <exception cref="ArgumentException">An unknown format; the message lists the known ones.</exception>
    public ProbeRunner WithReportFormats(params IEnumerable<string> formats)
    {
        _formats = ReportFormats.Select(string.Join(',', formats));
        return this;
    }

    /// <summary>Writes no report files (the result still has every figure).</summary>
    public ProbeRunner WithoutReports()
    {
        _formats = null;
        return this;
    }

    /// <summary>The engine's options: clock, lag bound, graceful stop, progress callback…</summary>
    public ProbeRunner WithRunOptions(RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        return this;
    }

    /// <summary>Check and RAG tallies for the reports, from scenarios built by Probe.Scenarios (<c>bound.Checks.Reports</c>, <c>bound.Rag.Reports</c>).</summary>
    public ProbeRunner WithTallies(Func<IReadOnlyList<CheckReport>>? checks, Func<IReadOnlyList<RagStepReport>>? rag = null)
    {
        _checks = checks;
        _rag = rag;
        return this;
    }

    /// <summary>Where the verdict line and the report folder are printed (default standard output; null: nowhere).</summary>
    public ProbeRunner WithConsole(TextWriter? console)
    {
        _console = console;
        return this;
    }

    /// <summary>Runs the scenarios, writes the reports and returns the result (its <see cref="RunResult.Verdict"/> is the gate).</summary>
    public RunResult Run() => RunAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public async Task<RunResult> RunAsync(CancellationToken cancellation = default)
    {
        RunResult result = await LoadRunner.RunAsync(_scenarios, _options, cancellation).ConfigureAwait(false);
        string? folder = null;
        if (_formats is not null)
        {
            folder = _folder ?? Path.Combine("results", result.StartedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
            string version = typeof(ProbeRunner).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
            var report = new RunReport(new RunInfo(_suite, "(code)", "local", Environment.MachineName, null, version), result)
            {
                Checks = _checks?.Invoke() ?? [],
                Rag = _rag?.Invoke() ?? [],
            };
            ReportFolder.Write(folder, report, _formats);
        }

        if (_console is not null)
        {
            await _console.WriteLineAsync($"{_suite}: {Describe(result)} (exit code {(int)result.ExitCode}){(folder is null ? string.Empty : $"; reports in {folder}")}").ConfigureAwait(false);
        }

        return result;
    }

    private static string Describe(RunResult result) => result.Verdict switch
    {
        Verdict.Passed => "PASSED: every threshold held",
        Verdict.Failed => $"FAILED: {string.Join("; ", result.Thresholds.Where(t => !t.Passed).Select(t => $"{t.Scenario} {t.Expression} (observed {t.ObservedText})"))}",
        _ => $"INVALID: {string.Join("; ", result.InvalidReasons.Append(result.AbortReason).OfType<string>())}",
    };
}
