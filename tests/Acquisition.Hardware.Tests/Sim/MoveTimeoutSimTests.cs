using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Grbl;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>A move's timeout fits the move: it is derived from where the stage really starts, not from a stale report.</summary>
public class MoveTimeoutSimTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = GrblBench.Guard;

    [Fact]
    public async Task A_long_move_gets_its_trapezoid_from_distance_rate_and_acceleration_times_the_factor_plus_margin_and_settle()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var from = StagePosition.FromMicrometres(-1_000, -1_000, -1_000);
        var to = StagePosition.FromMicrometres(-5_180, -1_000, -1_000);

        // X: $110 = 500 mm/min (8.33 mm/s), $120 = 10 mm/s². 4.18 mm is shorter than the 6.94 mm needed to reach
        // full speed and stop again, so the profile is a triangle: 2·√(d/a) = 1.293 s (not 0.061 s).
        var triangle = 2 * Math.Sqrt(4.18 / 10);
        Assert.Equal(triangle, bench.Stage.PlannedMoveTime(from, to).TotalSeconds, 3);
        var expected = (triangle * bench.Options.MotionTimeoutFactor) + bench.Options.MotionTimeoutMargin.TotalSeconds + bench.Options.SettleTime.TotalSeconds;
        Assert.Equal(expected, bench.Stage.PlannedMoveTimeout(from, to).TotalSeconds, 3);
    }

    [Fact]
    public async Task After_a_jog_the_cached_status_is_stale_yet_a_long_move_back_is_timed_from_where_the_stage_really_is_and_completes()
    {
        // A tight allowance: with the stale start (distance 0) the move would get margin + settle only and time out.
        await using var bench = await GrblBench.StartAsync(o =>
        {
            o.MotionTimeoutFactor = 1.2;
            o.MotionTimeoutMargin = TimeSpan.FromMilliseconds(300);
        }, output: output);
        var home = bench.Stage.Status.Position;
        await bench.Stage.JogAsync(Axis.X, new Micrometres(-4_180), 500, CancellationToken.None).WaitAsync(Guard);
        using (var guard = new CancellationTokenSource(Guard))
        {
            // Wait on the simulator itself, not on the stage: a status query would refresh the cached report.
            while (bench.Controller.State != GrblMachineState.Idle || bench.Controller.ReportedSteps[0] == -800)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), bench.Clock, guard.Token);
            }
        }
        Assert.Equal(home, bench.Stage.Status.Position); // the cached status still says "at home"
        var jogEnd = StagePosition.FromMicrometres(-5_180, -1_000, -1_000);

        var started = bench.Clock.GetUtcNow();
        await bench.Stage.MoveToAsync(home, CancellationToken.None).WaitAsync(Guard);
        var took = bench.Clock.GetUtcNow() - started;

        Assert.Equal(bench.Stage.PlannedMoveTimeout(jogEnd, home), bench.Stage.LastMoveTimeout);
        Assert.True(bench.Stage.LastMoveTimeout > TimeSpan.FromSeconds(1.5), $"timeout {bench.Stage.LastMoveTimeout}");
        Assert.True(took <= bench.Stage.LastMoveTimeout, $"the move needed {took}, beyond its own timeout {bench.Stage.LastMoveTimeout}");
        Assert.Equal(-800, bench.Controller.ReportedSteps[0]); // -1 mm at 800 steps/mm
    }
}
