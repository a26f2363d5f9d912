using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

/// <summary>G10 L2/L20, G92/G92.1, G54–G59, WCO in status reports and $#, over the real SerialPort on the pty.</summary>
public sealed class WorkCoordinateTests
{
    [Fact]
    public async Task Offsets_move_work_coordinates_and_show_in_wco_and_parameters()
    {
        using var b = new GrblBench();
        await b.HomedAsync(); // machine -1,-1,-1
        await b.Serial.StatusAsync(); // consume the WCO-bearing first report
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G10 L2 P1 X-10 Y-20 Z-3"));
        // A change of offsets makes the very next report carry WCO (GRBL's system_flag_wco_change).
        Assert.Contains("|WCO:-10.000,-20.000,-3.000", await b.Serial.StatusAsync());

        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X5 Y5 Z1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.StartsWith("<Idle|MPos:-5.000,-15.000,-2.000", await b.Serial.StatusAsync());

        Assert.Equal(["ok"], await b.Serial.CommandAsync("G92 X0"));
        Assert.Contains("|WCO:-5.000,-20.000,-3.000", await b.Serial.StatusAsync());
        var parameters = await b.Serial.CommandAsync("$#");
        Assert.Equal("[G54:-10.000,-20.000,-3.000]", parameters[0]);
        Assert.Equal("[G55:0.000,0.000,0.000]", parameters[1]);
        Assert.Contains("[G92:5.000,0.000,0.000]", parameters);
        Assert.Equal(["[TLO:0.000]", "[PRB:0.000,0.000,0.000:0]", "ok"], parameters[^3..]);

        // $10=0: GRBL reports WPos = MPos − WCO.
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$10=0"));
        Assert.StartsWith("<Idle|WPos:0.000,5.000,1.000", await b.Serial.StatusAsync());
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$10=1"));

        // L20: the current position reads X1 in G55.
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G10 L20 P2 X1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G55"));
        Assert.Contains("|WCO:-6.000,0.000,0.000", await b.Serial.StatusAsync()); // G55 X −11 plus G92 X 5
        Assert.Contains("G55", (await b.Serial.CommandAsync("$G"))[0]);
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G92.1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G53 G0 Y-2"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        var status = await b.Serial.StatusAsync();
        Assert.StartsWith("<Idle|MPos:-10.000,-2.000,-2.000", status);

        // A reset clears G92 and the G55 selection; G54–G59 stay (GRBL keeps them in EEPROM).
        await b.Serial.ResetAsync();
        Assert.Contains("|WCO:-10.000,-20.000,-3.000", await b.Serial.StatusAsync());
        Assert.Equal("[G55:-11.000,0.000,0.000]", (await b.Serial.CommandAsync("$#"))[1]);
    }

    [Fact]
    public async Task Bad_offset_blocks_get_grbls_error_codes()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        Assert.Equal(["error:20"], await b.Serial.CommandAsync("G10 L3 P1 X0"));
        Assert.Equal(["error:29"], await b.Serial.CommandAsync("G10 L2 P7 X0"));
        Assert.Equal(["error:28"], await b.Serial.CommandAsync("G10 L2 X1"));
        Assert.Equal(["error:26"], await b.Serial.CommandAsync("G10 L2 P1"));
        Assert.Equal(["error:26"], await b.Serial.CommandAsync("G92"));
        Assert.Equal(["error:24"], await b.Serial.CommandAsync("G1 G92 X1 F100"));
        Assert.Equal(["error:21"], await b.Serial.CommandAsync("G54 G55"));
        Assert.Equal([0.0, 0.0, 0.0], b.Grbl.WorkCoordinateOffsetMm);
    }

    [Fact]
    public async Task An_offset_change_waits_for_the_planner_to_drain()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        DateTimeOffset sent;
        Task<List<string>> g92;
        using (b.Clock.Busy()) // hold virtual time until both lines are in
        {
            Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-21 F600")); // 2 s of motion
            sent = b.Clock.GetUtcNow();
            Assert.Equal(["error:8"], await b.Serial.CommandAsync("$#")); // only when Idle or Alarm
            g92 = b.Serial.CommandAsync("G92 X0");
        }
        Assert.Equal(["ok"], await g92);
        // FORCE_BUFFER_SYNC_DURING_WCO_CHANGE: the ok comes once the move has ended, and G92 sees its end point.
        Assert.True(b.Clock.GetUtcNow() - sent >= TimeSpan.FromSeconds(1.9));
        Assert.Equal(-21, b.Grbl.WorkCoordinateOffsetMm[0], 6);
    }
}
