using Probe.Scenarios.Steps.Rag;
using Probe.Scenarios.Steps;
using Probe.Engine.Simulations;
using Probe.Engine.Thresholds;
using Probe.Scenarios.Binding;
using Probe.Scenarios.Checks;
using Probe.Scenarios.Suite;

namespace Probe.Scenarios.Fluent;

/// <summary>
/// Scenarios in C#, for teams that write load tests in their own console app or xUnit project:
/// the same steps, checks, thresholds and reports as a suite file, because the builder makes the
/// same specs and binds them the same way.
/// <code>
/// using BoundSuite run = ProbeScenario.Create("search", new Uri("http://127.0.0.1:5080"))
///     .Http("search", h =&gt; h.Post("/api/knowledge/search").Json(new { query = "haircut prices" }).Check("status == 200"))
///     .Load(Simulation.KeepConstant(10, TimeSpan.FromSeconds(30)))
///     .Thresholds("p95 &lt; 500ms", "error_rate &lt; 1%")
///     .Build();
/// RunResult result = await LoadRunner.RunAsync(run.Scenarios);
/// </code>
/// </summary>
public static class ProbeScenario
{
    /// <summary>Starts a scenario named <paramref name="name"/> whose steps call <paramref name="target"/>.</summary>
    public static ScenarioBuilder Create(string name, Uri target)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(target);
        return new ScenarioBuilder(name, target);
    }
}

/// <summary>Builds one scenario; every expression is parsed as it is added, so mistakes throw at once.</summary>
public sealed class ScenarioBuilder
{
    private const string TargetName = "target";
    private readonly string _name;
    private readonly Uri _target;
    private readonly List<StepSpec> _steps = [];
    private readonly List<LoadSimulation> _load = [];
    private readonly List<ThresholdSpec> _thresholds = [];
    private readonly Dictionary<string, IReadOnlyList<GoldenQuestion>> _golden = new(StringComparer.Ordinal);
    private TimeSpan _warmUp;
    private int? _maxInFlight;
    private int _maxQueued;

    internal ScenarioBuilder(string name, Uri target)
    {
        _name = name;
        _target = target;
    }

    /// <summary>Adds an HTTP step.</summary>
    public ScenarioBuilder Http(string name, Action<HttpStepBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var step = new HttpStepBuilder(name);
        configure(step);
        _steps.Add(step.Build());
        return this;
    }

    /// <summary>Adds a RAG step that asks <paramref name="questions"/> in turn at <paramref name="path"/>.</summary>
    public ScenarioBuilder Rag(string name, IReadOnlyList<GoldenQuestion> questions, string path = "/rag/query", bool stream = false, params string[] checks)
    {
        ArgumentNullException.ThrowIfNull(questions);
        if (questions.Count == 0)
        {
            throw new ArgumentException("A RAG step needs at least one golden question.", nameof(questions));
        }

        _golden[name] = questions;
        _steps.Add(new RagStepSpec(name, checks.Select(CheckParser.Parse).ToArray(), TimeSpan.FromSeconds(30), null, null, path, name, "question", "body.answer", "body.sources", stream));
        return this;
    }

    /// <summary>Sets the load phases (default: one iteration).</summary>
    public ScenarioBuilder Load(params IEnumerable<LoadSimulation> simulations)
    {
        _load.Clear();
        _load.AddRange(simulations);
        Simulation.Validate(_load);
        return this;
    }

    /// <summary>Adds scenario thresholds such as <c>p95 &lt; 1s</c>.</summary>
    /// <exception cref="FormatException">An expression does not parse.</exception>
    public ScenarioBuilder Thresholds(params string[] expressions)
    {
        foreach (string e in expressions)
        {
            _ = ThresholdParser.Parse(e);
            _thresholds.Add(new ThresholdSpec(e));
        }

        return this;
    }

    /// <summary>Adds thresholds with a step, abort-on-fail or a delay.</summary>
    public ScenarioBuilder Thresholds(params ThresholdSpec[] thresholds)
    {
        foreach (ThresholdSpec t in thresholds)
        {
            _ = t.Parse();
            _thresholds.Add(t);
        }

        return this;
    }

    /// <summary>Iterations intended to start in the first <paramref name="warmUp"/> are not counted.</summary>
    public ScenarioBuilder WarmUp(TimeSpan warmUp)
    {
        _warmUp = warmUp;
        return this;
    }

    /// <summary>Open model: the in-flight cap and queue.</summary>
    public ScenarioBuilder MaxInFlight(int maxInFlight, int maxQueued = 0)
    {
        (_maxInFlight, _maxQueued) = (maxInFlight, maxQueued);
        return this;
    }

    /// <summary>Binds the scenario: dispose the result after the run (it owns the HTTP clients).</summary>
    public BoundSuite Build(BindOptions? options = null)
    {
        if (_steps.Count == 0)
        {
            throw new InvalidOperationException($"scenario '{_name}' has no steps; add one with Http(…) or Rag(…)");
        }

        string[] stepNames = _steps.Select(s => s.Name).ToArray();
        foreach (ThresholdSpec t in _thresholds.Where(t => t.Step is not null && !stepNames.Contains(t.Step)))
        {
            throw new InvalidOperationException($"threshold '{t.Expression}' names step '{t.Step}', which scenario '{_name}' does not have; steps: {string.Join(", ", stepNames)}");
        }

        var scenario = new ScenarioSpec(
            _name, TargetName, [], _steps.ToArray(), _load.Count == 0 ? [Simulation.IterationsForConstant(1, 1)] : _load.ToArray(),
            _thresholds.ToArray(), _warmUp, _maxInFlight, _maxQueued, null, []);
        var suite = new SuiteDefinition(
            _name, "(code)", new Dictionary<string, TargetSpec> { [TargetName] = new(TargetName, _target, false) }, [scenario], _golden, [], []);
        return SuiteBinder.Bind(suite, options);
    }
}
