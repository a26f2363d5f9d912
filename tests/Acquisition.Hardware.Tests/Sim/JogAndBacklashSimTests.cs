using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.HardwareSim.Grbl;
using Xunit.Abstractions;

namespace Acquisition.Hardware.Tests.Sim;

/// <summary>Jog cancel as a raw 0x85 byte, and the Z backlash rule (every Z approach from below), against the simulated GRBL.</summary>
public class JogAndBacklashSimTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = GrblBench.Guard;

    [Fact]
    public async Task Jog_cancel_reaches_GRBL_as_the_raw_byte_0x85_and_stops_the_jog_short_of_its_target()
    {
        await using var bench = await GrblBench.StartAsync(output: output);
        var startSteps = bench.Controller.ReportedSteps[0];
        // 10 mm at 300 mm/min: two seconds of jogging.
        await bench.Stage.JogAsync(Axis.X, new Micrometres(-10_000), 300, CancellationToken.None).WaitAsync(Guard);
        using (var guard = new CancellationTokenSource(Guard))
        {
            while (bench.Controller.State != GrblMachineState.Jog || bench.Controller.ReportedSteps[0] == startSteps)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), bench.Clock, guard.Token);
            }
        }

        // Through the port's ASCII encoding 0x85 would arrive as '?', a mere status query: the jog would run on.
        await bench.Stage.CancelJogAsync(CancellationToken.None).WaitAsync(Guard);

        Assert.Equal(GrblMachineState.Idle, bench.Controller.State);
        var stopped = bench.Controller.ReportedSteps[0];
        Assert.InRange(stopped, startSteps - 8000 + 1, startSteps - 1); // moved, but stopped well short of -10 mm
        Assert.Equal(0, bench.Stage.GarbageLinesReceived);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-2_000, -1_000, -1_000), CancellationToken.None).WaitAsync(Guard);
    }

    [Fact]
    public async Task Z_approached_from_below_lands_on_the_same_true_height_from_either_side_and_a_plain_move_from_above_does_not()
    {
        await using var bench = await GrblBench.StartAsync(grbl: new GrblOptions { ZBacklashMicrometres = 20 }, output: output);
        var z = new Micrometres(-3_000);
        double TrueZ() => bench.Controller.TruePositionAt(bench.Clock.GetUtcNow()).Z.Value;

        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-1_000, -1_000, -5_000), CancellationToken.None).WaitAsync(Guard);
        await bench.Stage.MoveZFromBelowAsync(z, CancellationToken.None).WaitAsync(Guard); // from below already
        var fromBelow = TrueZ();

        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-1_000, -1_000, -1_500), CancellationToken.None).WaitAsync(Guard);
        await bench.Stage.MoveZFromBelowAsync(z, CancellationToken.None).WaitAsync(Guard); // from above: lead-in below, then up
        var fromAboveWithLeadIn = TrueZ();

        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-1_000, -1_000, -1_500), CancellationToken.None).WaitAsync(Guard);
        await bench.Stage.MoveToAsync(StagePosition.FromMicrometres(-1_000, -1_000, z.Value), CancellationToken.None).WaitAsync(Guard);
        var plainFromAbove = TrueZ();

        output.WriteLine($"true Z: from below {fromBelow:0.###}, from above with lead-in {fromAboveWithLeadIn:0.###}, plain from above {plainFromAbove:0.###} µm");
        Assert.InRange(fromAboveWithLeadIn, fromBelow - 0.5, fromBelow + 0.5);
        Assert.True(Math.Abs(plainFromAbove - fromBelow) > 10, "the simulated backlash should show without the lead-in");
        Assert.Equal(z, bench.Stage.Status.Position.Z);
    }
}
