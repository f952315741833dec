using System.Globalization;
using Probe.Engine.Simulations;
using Probe.Engine.Text;
using Probe.Engine.Timing;

namespace Probe.Engine.Running;

/// <summary>
/// Changes a run's load while it runs (as k6's externally controlled executor and Locust's UI do):
/// the copies of a scenario in a closed phase, or the arrival rate of one in an open phase. A change
/// holds over the following phases of the same model until it is taken back (<see cref="LoadRequest.BackToPlan"/>)
/// or the plan moves to a pause or the other model; the plan's timing never changes, so the run ends
/// when it would have. Pass one to <see cref="RunOptions.Control"/>; every change is in
/// <see cref="Verdicts.RunResult.LoadChanges"/>.
/// </summary>
public sealed class LoadControl
{
    private readonly Lock _lock = new();
    private readonly List<LoadChange> _changes = [];
    private ScenarioRuntime[]? _runtimes;
    private Timestamps _clock;
    private long _start;
    private bool _ended;

    /// <summary>The most copies a change may ask for (memory is set aside for them). 1 to 100,000; the default is 10,000.</summary>
    public int MaxCopies { get; init; } = 10_000;

    /// <summary>The highest arrival rate per second a change may ask for. The default is 1,000,000.</summary>
    public double MaxRatePerSecond { get; init; } = 1_000_000;

    /// <summary>Whether a run is using this control now.</summary>
    public bool Running
    {
        get
        {
            lock (_lock)
            {
                return _runtimes is not null && !_ended;
            }
        }
    }

    /// <summary>Every change applied so far, in order (including the plan taking over again at a change of model).</summary>
    public IReadOnlyList<LoadChange> Changes
    {
        get
        {
            lock (_lock)
            {
                return [.. _changes];
            }
        }
    }

    /// <summary>Each scenario's load now: its phase, what the plan asks for and what a change set.</summary>
    public IReadOnlyList<ScenarioLoad> Current()
    {
        lock (_lock)
        {
            if (_runtimes is null)
            {
                return [];
            }

            long now = _clock.Now;
            return [.. _runtimes.Select(rt => rt.LoadNow(now, _ended))];
        }
    }

    /// <summary>Applies <paramref name="request"/> now and returns the change as recorded.</summary>
    /// <exception cref="LoadControlException">No run, an unknown scenario, a value out of range, or a change the scenario's phase cannot take.</exception>
    public LoadChange Apply(LoadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (_runtimes is null || _ended)
            {
                throw new LoadControlException(LoadRefusal.NotRunning, _ended ? "the run has ended" : "the run has not started yet");
            }

            ScenarioRuntime runtime = _runtimes.FirstOrDefault(r => r.Definition.Name == request.Scenario)
                ?? throw new LoadControlException(LoadRefusal.UnknownScenario, $"no scenario '{request.Scenario}' in this run{DidYouMean.Hint(request.Scenario, _runtimes.Select(r => r.Definition.Name))}; scenarios: {string.Join(", ", _runtimes.Select(r => r.Definition.Name))}");
            (LoadModel model, double value) = Requested(request);
            long now = _clock.Now;
            if (runtime.TryControl(request.BackToPlan ? null : new LoadOverride(model, value, now)) is { } refused)
            {
                throw new LoadControlException(refused.Refusal, $"scenario '{request.Scenario}' {refused.Why}");
            }

            var change = new LoadChange(At(now), request.Scenario, request.BackToPlan ? null : model, request.BackToPlan ? null : value, request.Source);
            _changes.Add(change);
            return change;
        }
    }

    internal void Attach(ScenarioRuntime[] runtimes, long start, TimeProvider time)
    {
        lock (_lock)
        {
            if (_runtimes is not null)
            {
                throw new InvalidOperationException("A LoadControl serves one run; this one has been used.");
            }

            _runtimes = runtimes;
            _clock = new Timestamps(time);
            _start = start;
            foreach (ScenarioRuntime rt in runtimes)
            {
                rt.Control = this;
            }
        }
    }

    internal void End()
    {
        lock (_lock)
        {
            _ended = true;
        }
    }

    /// <summary>Records that the plan took over again because it moved to a phase the change does not fit.</summary>
    internal void RecordPlanResumed(string scenario, long at)
    {
        lock (_lock)
        {
            _changes.Add(new LoadChange(At(at), scenario, null, null, "plan"));
        }
    }

    private TimeSpan At(long timestamp) => _clock.ToTimeSpan(Math.Max(0, timestamp - _start));

    private (LoadModel Model, double Value) Requested(LoadRequest request)
    {
        int given = (request.Copies is null ? 0 : 1) + (request.RatePerSecond is null ? 0 : 1) + (request.BackToPlan ? 1 : 0);
        if (given != 1)
        {
            throw new LoadControlException(LoadRefusal.BadRequest, "give exactly one of copies, a rate, or back to the plan");
        }

        if (request.Copies is { } copies)
        {
            return copies < 0 || copies > MaxCopies
                ? throw new LoadControlException(LoadRefusal.BadRequest, $"copies must be from 0 to {MaxCopies}, not {copies}")
                : (LoadModel.Closed, copies);
        }

        if (request.RatePerSecond is { } rate)
        {
            return !double.IsFinite(rate) || rate < 0 || rate > MaxRatePerSecond
                ? throw new LoadControlException(LoadRefusal.BadRequest, string.Create(CultureInfo.InvariantCulture, $"the rate must be from 0 to {MaxRatePerSecond} per second, not {rate}"))
                : (LoadModel.Open, rate);
        }

        return (LoadModel.Pause, 0);
    }
}

/// <summary>A change asked of a <see cref="LoadControl"/>: exactly one of <paramref name="Copies"/>, <paramref name="RatePerSecond"/> or <paramref name="BackToPlan"/>.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="Copies">Copies to run (the scenario must be in a closed phase).</param>
/// <param name="RatePerSecond">Iterations to start per second (the scenario must be in an open phase).</param>
/// <param name="BackToPlan">Take back the scenario's change: the plan decides again.</param>
/// <param name="Source">Who asked, for the record (such as the client's address).</param>
public sealed record LoadRequest(string Scenario, int? Copies = null, double? RatePerSecond = null, bool BackToPlan = false, string? Source = null);

/// <summary>A change as applied.</summary>
/// <param name="At">When, from the start of the load.</param>
/// <param name="Scenario">The scenario changed.</param>
/// <param name="Model">Closed (copies) or open (rate); null when the plan decides again.</param>
/// <param name="Value">The copies or the rate per second; null when the plan decides again.</param>
/// <param name="Source">Who asked; "plan" when the plan moved to a phase the change did not fit.</param>
public sealed record LoadChange(TimeSpan At, string Scenario, LoadModel? Model, double? Value, string? Source)
{
    /// <summary>"copies 80", "rate 200/s" or "back to the plan".</summary>
    public string Text => Model switch
    {
        LoadModel.Closed => string.Create(CultureInfo.InvariantCulture, $"copies {Value}"),
        LoadModel.Open => string.Create(CultureInfo.InvariantCulture, $"rate {Value:0.###}/s"),
        _ => "back to the plan",
    };
}

/// <summary>A scenario's load at a moment of the run.</summary>
/// <param name="Scenario">The scenario's name.</param>
/// <param name="State">"closed", "open", "pause", "starting" or "done".</param>
/// <param name="Planned">What the plan asks for now: copies or arrivals per second.</param>
/// <param name="Controlled">What a change set instead, or null when the plan decides.</param>
/// <param name="Phase">The phase, such as "2/3 ramping-constant to 50 over 5m"; null outside the plan.</param>
public sealed record ScenarioLoad(string Scenario, string State, double Planned, double? Controlled, string? Phase);

/// <summary>Why a <see cref="LoadControl"/> refused a change.</summary>
public enum LoadRefusal
{
    /// <summary>The request itself is wrong (no value, two values, out of range).</summary>
    BadRequest,

    /// <summary>No scenario of that name.</summary>
    UnknownScenario,

    /// <summary>The scenario's phase cannot take the change (copies in an open phase, a rate in a closed one, a pause).</summary>
    Conflict,

    /// <summary>No run is using the control, or the scenario's load has not started yet (it is warming up): try again.</summary>
    NotRunning,
}

/// <summary>A change a <see cref="LoadControl"/> refused, and why.</summary>
public sealed class LoadControlException : Exception
{
    public LoadControlException(LoadRefusal refusal, string message)
        : base(message) => Refusal = refusal;

    public LoadControlException()
    {
    }

    public LoadControlException(string message)
        : base(message)
    {
    }

    public LoadControlException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LoadRefusal Refusal { get; }
}
