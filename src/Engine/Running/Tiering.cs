using System.Runtime;

namespace Probe.Engine.Running;

/// <summary>
/// Where .NET compiles each method quickly first and recompiles it optimised once it has run about
/// 30 times after a quiet spell (the tiering delay: 10 ms in Probe's Release build, ten times that
/// where the process may use one CPU), that recompiling must not fall inside a run's schedule: on a
/// busy machine it takes the CPU the schedule needs. A warm-up is then repeated in rounds until no
/// method has been compiled for a while.
/// </summary>
public static class Tiering
{
    // Rounds of at least 20 ms without a method compiled, past the tiering delay: 10 ms, and 100 ms
    // where the process may use one CPU, whose first recompiling came 150-180 ms after the last
    // method compiled. At most 30 rounds (600 ms and the rounds' own time).
    private static readonly int QuietRounds = Environment.ProcessorCount == 1 ? 12 : 3;
    private const int MaxRounds = 30;
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Whether this process compiles methods quickly first: the environment's setting
    /// (<c>DOTNET_TieredCompilation</c>, <c>DOTNET_TC_QuickJit</c>), else the runtime configuration's
    /// (<c>System.Runtime.TieredCompilation.QuickJit</c>), else .NET's default (yes).
    /// </summary>
    public static bool QuickCompilation
    {
        get
        {
            foreach (string prefix in (string[])["DOTNET_", "COMPlus_"])
            {
                if (Environment.GetEnvironmentVariable(prefix + "TieredCompilation") == "0")
                {
                    return false;
                }

                if (Environment.GetEnvironmentVariable(prefix + "TC_QuickJit") is { } quick)
                {
                    return quick != "0";
                }
            }

            return AppContext.GetData("System.Runtime.TieredCompilation.QuickJit") is not string configured
                || !bool.TryParse(configured, out bool value) || value;
        }
    }

    /// <summary>
    /// Runs <paramref name="round"/> again and again, 20 ms apart, until no method has been compiled
    /// for 12 rounds in a row where the process may use one CPU, 3 elsewhere (at most 30 rounds). A
    /// round should call each hot method 30 times: .NET counts that many calls, once the tiering
    /// delay is over, before it recompiles a method, so the quiet rounds are then the delay's.
    /// </summary>
    public static async Task RepeatUntilCompiledAsync(Func<CancellationToken, Task> round, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(round);
        long compiled = JitInfo.GetCompiledMethodCount();
        for (int i = 0, quiet = 0; i < MaxRounds && quiet < QuietRounds; i++)
        {
            await round(cancellation).ConfigureAwait(false);
            await Task.Delay(RoundPause, TimeProvider.System, cancellation).ConfigureAwait(false);
            long now = JitInfo.GetCompiledMethodCount();
            quiet = now == compiled ? quiet + 1 : 0;
            compiled = now;
        }
    }
}
