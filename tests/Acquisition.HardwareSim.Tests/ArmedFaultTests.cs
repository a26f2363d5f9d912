using Acquisition.Core.Hardware;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

/// <summary>Faults armed for the next move fire at the armed distance, on the simulation clock.</summary>
public sealed class ArmedFaultTests
{
    [Fact]
    public async Task Stall_armed_for_the_next_x_move_fires_after_the_armed_distance()
    {
        using var b = new GrblBench();
        await b.HomedAsync(); // X at -1 mm
        b.Grbl.ArmFault(ArmedMoveFault.Stall(Axis.X, 2000));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 Z-2 F300")); // not an X move: the fault keeps waiting
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.NotNull(b.Grbl.ArmedFault);
        Assert.Equal(b.Grbl.ReportedSteps[2], b.Grbl.TrueSteps[2]);

        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-11 F600"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.Null(b.Grbl.ArmedFault);
        Assert.Equal(-11 * 800, b.Grbl.ReportedSteps[0]); // GRBL carries on
        Assert.InRange(b.Grbl.TrueSteps[0], -3 * 800 - 2, -3 * 800 + 2); // the motor stopped 2 mm in
        Assert.StartsWith("<Idle|MPos:-11.000", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task Stall_armed_across_short_moves_counts_the_distance_of_each()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        b.Grbl.ArmFault(ArmedMoveFault.Stall(Axis.Z, 300));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 Z-1.2 F300")); // 200 µm
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.Equal(b.Grbl.ReportedSteps[2], b.Grbl.TrueSteps[2]);
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 Z-1.5")); // stalls 100 µm into this one
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.Equal(-1.5 * 3200, b.Grbl.ReportedSteps[2]);
        Assert.InRange(b.Grbl.TrueSteps[2], -1.3 * 3200 - 2, -1.3 * 3200 + 2);
    }

    [Fact]
    public async Task Controller_reset_armed_for_the_next_move_reboots_mid_move_through_the_bench()
    {
        using var bench = new SimulatedBench();
        using var serial = new SerialSession(bench.SerialPortPath, bench.SimClock);
        await serial.BannerAsync();
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await serial.NextLineAsync());
        Assert.Equal(["ok"], await serial.CommandAsync("$H"));
        Assert.True(bench.Grbl.ReferenceValid);
        bench.ArmFault("controller-reset", 3000);
        Assert.Contains("controller-reset after 3000", bench.Status().ArmedFault);
        Assert.Equal(["ok"], await serial.CommandAsync("G1 X-11 F600"));
        var (_, skipped) = await serial.UntilAsync(l => l.StartsWith("Grbl 1.1h", StringComparison.Ordinal));
        Assert.DoesNotContain(skipped, l => l.StartsWith("ALARM", StringComparison.Ordinal)); // a reboot, not a soft reset
        Assert.Equal("[MSG:'$H'|'$X' to unlock]", await serial.NextLineAsync());
        var now = bench.SimClock.GetUtcNow();
        Assert.Equal(-4000, bench.TruePositionAt(now).X.Value, 1); // the carriage stopped 3 mm into the move
        Assert.Equal(0, bench.ReportedPositionAt(now).X.Value); // the rebooted GRBL counts from zero
        Assert.False(bench.Grbl.ReferenceValid);
        Assert.Null(bench.Grbl.ArmedFault);
        Assert.Throws<ArgumentException>(() => bench.ArmFault("door-open", 10));
    }
}
