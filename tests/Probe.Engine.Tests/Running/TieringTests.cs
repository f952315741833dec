using System.Reflection.Emit;
using Probe.Engine.Running;

namespace Probe.Engine.Tests.Running;

public class TieringTests
{
    [Fact]
    public async Task RepeatUntilCompiled_GoesOnWhileEachRoundCompilesAMethod()
    {
        // Each of the first 5 rounds compiles a method of its own; then 3 quiet rounds at least (12 where
        // the process may use one CPU; other tests compiling beside this one can only make it more).
        int rounds = 0;
        await Tiering.RepeatUntilCompiledAsync(_ =>
        {
            if (rounds++ < 5)
            {
                CompileOne(rounds);
            }

            return Task.CompletedTask;
        });

        Assert.InRange(rounds, 5 + 3, 30);
    }

    [Fact]
    public async Task RepeatUntilCompiled_StopsAfterThirtyRounds()
    {
        int rounds = 0;
        await Tiering.RepeatUntilCompiledAsync(_ =>
        {
            CompileOne(++rounds);
            return Task.CompletedTask;
        });

        Assert.Equal(30, rounds);
    }

    [Fact]
    public async Task RepeatUntilCompiled_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Tiering.RepeatUntilCompiledAsync(_ => Task.CompletedTask, cancelled.Token));
    }

    /// <summary>Compiles and calls a new method returning <paramref name="value"/>.</summary>
    private static void CompileOne(int value)
    {
        var method = new DynamicMethod($"round{value}", typeof(int), Type.EmptyTypes);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldc_I4, value);
        il.Emit(OpCodes.Ret);
        Assert.Equal(value, ((Func<int>)method.CreateDelegate(typeof(Func<int>)))());
    }
}
