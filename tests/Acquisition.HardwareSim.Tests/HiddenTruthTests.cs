using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

public sealed class HiddenTruthTests
{
    [Fact]
    public async Task Z_backlash_makes_the_true_position_depend_on_the_approach_direction()
    {
        using var b = new GrblBench(new GrblOptions { ZBacklashMicrometres = 4 });
        await b.HomedAsync();
        await MoveAsync(b, "G1 Z-3 F200");
        await MoveAsync(b, "G1 Z-5");   // approach -5 from above
        var fromAbove = b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).Z.Value;
        await MoveAsync(b, "G1 Z-7");
        await MoveAsync(b, "G1 Z-5");   // approach -5 from below
        var fromBelow = b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).Z.Value;
        Assert.Equal(4, fromAbove - fromBelow, 1); // the carriage trails the motor by the play
        Assert.StartsWith("<Idle|MPos:-1.000,-1.000,-5.000", await b.Serial.StatusAsync()); // GRBL cannot see it
    }

    [Fact]
    public async Task Lead_screw_scale_error_stretches_true_travel()
    {
        using var b = new GrblBench(new GrblOptions { ScaleErrorPpm = [1000, 0, 0] });
        await b.HomedAsync();
        var before = b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).X.Value;
        await MoveAsync(b, "G0 X-41");
        var after = b.Grbl.TruePositionAt(b.Clock.GetUtcNow()).X.Value;
        Assert.Equal(-40_040, after - before, 0); // 40 mm commanded, 0.1 % long
        Assert.Equal(-41 * 800, b.Grbl.TrueSteps[0]);
    }

    [Fact]
    public async Task Stall_freezes_the_true_steps_while_grbl_reports_the_target()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        var moveStart = b.Clock.GetUtcNow();
        using (await b.CommandThenHoldAtAsync("G1 X-21 F600", TimeSpan.FromSeconds(1)))
        {
            b.Grbl.SetStalled(Axis.X, true);
        }
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        var reported = b.Grbl.ReportedSteps;
        var trueSteps = b.Grbl.TrueSteps;
        Assert.Equal(-21 * 800, reported[0]);
        Assert.InRange(trueSteps[0], -20 * 800 + 1, -800 - 1); // stopped part-way
        Assert.StartsWith("<Idle|MPos:-21.000", await b.Serial.StatusAsync());
        b.Grbl.SetStalled(Axis.X, false);
        await MoveAsync(b, "G1 X-11");
        // The lost steps stay lost: true = reported - lost.
        Assert.Equal(b.Grbl.ReportedSteps[0] - (reported[0] - trueSteps[0]), b.Grbl.TrueSteps[0]);
        // The history can be asked about the past: at the move's start the carriage was at the pulled-off origin.
        Assert.Equal(-1000, b.Grbl.TruePositionAt(moveStart).X.Value, 0);
    }

    [Fact]
    public async Task Random_moves_end_with_true_steps_on_target()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        var random = new Random(1234);
        for (var i = 0; i < 20; i++)
        {
            var x = -1 - random.NextDouble() * 40;
            var z = -1 - random.NextDouble() * 15;
            Assert.Equal(["ok"], await b.Serial.CommandAsync(FormattableString.Invariant($"G0 X{x:0.000} Z{z:0.0000}")));
        }
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.Equal(b.Grbl.ReportedSteps, b.Grbl.TrueSteps);
    }

    private static async Task MoveAsync(GrblBench b, string line)
    {
        Assert.Equal(["ok"], await b.Serial.CommandAsync(line));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
    }
}
