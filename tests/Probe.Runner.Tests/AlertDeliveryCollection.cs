namespace Probe.Runner.Tests;

/// <summary>
/// The alert-delivery test waits out the real timers of Prometheus's rules for about seven minutes, with
/// three runners, Prometheus, Alertmanager and PostgreSQL running. It costs only about 7 % of a core, but
/// beside it the timed runs of <see cref="RealTimeCollection"/> met late starts of 10 to 56 ms on a
/// 2-core VM (a CI run failed on one): with any light activity in the guest, its host now and then wakes
/// a sleeping vCPU tens of milliseconds late (seen with <c>perf sched</c>: both CPUs idle while a timer
/// was due; a 50 µs spin every half millisecond beside a sleeping loop does the same). xUnit runs a
/// collection that disables parallelization only after every other collection has ended, so this one
/// runs alone, after them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AlertDeliveryCollection
{
    public const string Name = "alert delivery, alone";
}
