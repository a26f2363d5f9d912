using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Sim;

public class GrblStageSimTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = GrblBench.Guard;

    [Fact]
    public async Task Connect_reads_the_firmware_applies_the_settings_file_and_homes()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        Assert.Equal("1.1h.20190825", bench.Stage.FirmwareVersion);
        // The simulator starts with $110=600; the station file says 500.
        Assert.Equal(500, bench.Controller.Settings[110]);
        Assert.Equal(255, bench.Controller.Settings[1]);
        Assert.True(bench.Stage.Status.IsHomed);
        Assert.Equal(StageMotionState.Idle, bench.Stage.Status.State);
        Assert.Equal(StagePosition.FromMicrometres(-1000, -1000, -1000), bench.Stage.Status.Position);
        Assert.Equal((Micrometres.FromMillimetres(-20), Micrometres.Zero), bench.Stage.TravelOf(Axis.Z));
    }

    [Fact]
    public async Task A_move_completes_only_idle_at_the_target_after_the_trapezoid_and_settle_time()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var from = bench.Stage.Status.Position;
        var target = StagePosition.FromMicrometres(-12_500, -3_250.5, -4_000);
        var planned = bench.Stage.PlannedMoveTime(from, target);
        var started = bench.Clock.GetUtcNow();
        await bench.Stage.MoveToAsync(target, CancellationToken.None).WaitAsync(Guard);
        var took = bench.Clock.GetUtcNow() - started;

        Assert.Equal(Acquisition.HardwareSim.Grbl.GrblMachineState.Idle, bench.Controller.State);
        var reported = bench.Controller.ReportedPositionAt(bench.Clock.GetUtcNow());
        Assert.InRange(reported.X.Value, -12_501.25, -12_498.75);
        Assert.InRange(reported.Y.Value, -3_251.75, -3_249.25);
        Assert.True(took >= planned + bench.Options.SettleTime, $"move returned after {took}, trapezoid {planned} + settle");
        Assert.True(bench.Stage.LastSettledAt >= started + planned + bench.Options.SettleTime);
        Assert.Equal(bench.Controller.ReportedSteps, bench.Controller.TrueSteps);
    }
}
