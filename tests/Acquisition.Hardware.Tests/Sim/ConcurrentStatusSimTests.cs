using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>One owner moves the stage while other callers read its status: the command stream must not notice.</summary>
public class ConcurrentStatusSimTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Status_readers_during_a_move_and_idle_polling_never_corrupt_the_command_stream()
    {
        // Idle polling on as on a station, so the timer's '?' bytes interleave with the move's lines too.
        await using var bench = await GrblBench.StartAsync(o => o.IdlePollInterval = TimeSpan.FromMilliseconds(200), output: output);
        var target = StagePosition.FromMicrometres(-30_000, -20_000, -8_000);
        var move = bench.Stage.MoveToAsync(target, CancellationToken.None);
        var readers = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var seen = new List<StageStatus>();
            for (var i = 0; i < 10; i++)
            {
                seen.Add(await bench.Stage.QueryStatusAsync(CancellationToken.None));
            }
            return seen;
        })).ToList();

        var reports = (await Task.WhenAll(readers).WaitAsync(GrblBench.Guard)).SelectMany(r => r).ToList();
        await move.WaitAsync(GrblBench.Guard);

        Assert.Equal(80, reports.Count);
        Assert.All(reports, r => Assert.True(r.State is StageMotionState.Run or StageMotionState.Idle, r.State.ToString()));
        Assert.Equal(0, bench.Stage.GarbageLinesReceived);
        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);
        Assert.Equal(target, bench.Stage.Status.Position);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
    }
}
