namespace Acquisition.HardwareSim.Tests;

/// <summary>G28/G30 with G28.1/G30.1, as GRBL 1.1 runs them, over the real SerialPort on the pty.</summary>
public sealed class StoredPositionTests
{
    [Fact]
    public async Task G28_1_stores_the_position_and_G28_returns_to_it_at_rapid_rate()
    {
        using var b = new GrblBench();
        await b.HomedAsync(); // machine −1,−1,−1
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X-10 Y-12 Z-3"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G28.1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X-20 Y-30 Z-8"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G30.1")); // the parser's position: G0's target, still moving
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0")); // $# needs Idle
        var parameters = await b.Serial.CommandAsync("$#");
        Assert.Contains("[G28:-10.000,-12.000,-3.000]", parameters);
        Assert.Contains("[G30:-20.000,-30.000,-8.000]", parameters);

        Assert.Equal(["ok"], await b.Serial.CommandAsync("G1 X-2 Y-2 Z-1 F300")); // G1 modal: G28 still goes at rapid
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G28"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.StartsWith("<Idle|MPos:-10.000,-12.000,-3.000", await b.Serial.StatusAsync());
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G30"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.StartsWith("<Idle|MPos:-20.000,-30.000,-8.000", await b.Serial.StatusAsync());
        Assert.StartsWith("[GC:G1 ", (await b.Serial.CommandAsync("$G"))[0]); // non-modal: the motion mode stays

        // GRBL keeps them in EEPROM: a reset does not clear them, $RST=# does.
        await b.Serial.ResetAsync();
        Assert.Contains("[G28:-10.000,-12.000,-3.000]", await b.Serial.CommandAsync("$#"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("$RST=#"));
        Assert.Contains("[G28:0.000,0.000,0.000]", await b.Serial.CommandAsync("$#"));
    }

    [Fact]
    public async Task Axis_words_go_via_the_intermediate_point_and_move_only_the_named_axes_on()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X-20 Y-30 Z-8"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G30.1"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G0 X-10 Y-12 Z-3"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        // Work offset Z +1 mm: the intermediate Z-2 (G90, work coordinates) is machine Z-1.
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G10 L2 P1 Z1"));

        var from = b.Clock.GetUtcNow();
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G30 Z-2"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        var to = b.Clock.GetUtcNow();
        // Z went up to the intermediate point first, then down to the stored Z; X and Y were not named and stayed.
        Assert.StartsWith("<Idle|MPos:-10.000,-12.000,-8.000", await b.Serial.StatusAsync());
        var highestZ = double.MinValue;
        for (var t = from; t <= to; t += TimeSpan.FromMilliseconds(1))
        {
            var p = b.Grbl.ReportedPositionAt(t);
            highestZ = Math.Max(highestZ, p.Z.Value);
            Assert.Equal(-10000, p.X.Value, 3);
            Assert.Equal(-12000, p.Y.Value, 3);
        }
        Assert.Equal(-1000, highestZ, 1); // reversal at the intermediate point: the stage stops there

        // G91: the intermediate point is relative; here it is the current position, so only the final leg moves X.
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G91 G30 X0"));
        Assert.Equal(["ok"], await b.Serial.CommandAsync("G4 P0"));
        Assert.StartsWith("<Idle|MPos:-20.000,-12.000,-8.000", await b.Serial.StatusAsync());
    }

    [Fact]
    public async Task Bad_blocks_and_an_intermediate_point_outside_the_travel_are_refused_as_grbl_does()
    {
        using var b = new GrblBench();
        await b.HomedAsync();
        Assert.Equal(["error:24"], await b.Serial.CommandAsync("G0 G28 X-1")); // two axis commands
        Assert.Equal(["error:21"], await b.Serial.CommandAsync("G28 G30")); // one non-modal command per block
        Assert.Equal(["error:20"], await b.Serial.CommandAsync("G28.2")); // not a GRBL command
        b.Serial.Send("G28 X5"); // soft limits: X +5 is outside the machine space [−50, 0]
        Assert.Equal("ALARM:2", await b.Serial.NextLineAsync());
        Assert.Equal("[MSG:Reset to continue]", await b.Serial.NextLineAsync());
    }
}
