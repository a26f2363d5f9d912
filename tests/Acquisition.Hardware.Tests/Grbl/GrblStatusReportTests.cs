using Acquisition.Core.Hardware;
using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class GrblStatusReportTests
{
    [Fact]
    public void Parses_state_machine_position_feed_and_pins()
    {
        var r = GrblStatusReport.Parse("<Run|MPos:-12.500,-3.000,-0.125|FS:500,0|Pn:XZ>");
        Assert.Equal(StageMotionState.Run, r.State);
        Assert.Equal([-12.5, -3.0, -0.125], r.MachinePositionMillimetres);
        Assert.Equal(500, r.Feed);
        Assert.Equal("XZ", r.Pins);
    }

    [Theory]
    [InlineData("<Hold:0|MPos:0.000,0.000,0.000|FS:0,0>", StageMotionState.Hold, 0)]
    [InlineData("<Hold:1|MPos:0.000,0.000,0.000|FS:0,0>", StageMotionState.Hold, 1)]
    [InlineData("<Door:2|MPos:0.000,0.000,0.000|FS:0,0|Pn:D>", StageMotionState.Door, 2)]
    [InlineData("<Alarm|MPos:0.000,0.000,0.000|FS:0,0>", StageMotionState.Alarm, 0)]
    [InlineData("<Jog|MPos:0.000,0.000,0.000|FS:100,0>", StageMotionState.Jog, 0)]
    [InlineData("<Home|MPos:0.000,0.000,0.000|FS:0,0>", StageMotionState.Home, 0)]
    public void Parses_sub_states(string line, StageMotionState state, int sub)
    {
        var r = GrblStatusReport.Parse(line);
        Assert.Equal(state, r.State);
        Assert.Equal(sub, r.SubState);
    }

    [Fact]
    public void Work_position_is_turned_into_machine_position_with_the_last_WCO()
    {
        var first = GrblStatusReport.Parse("<Idle|WPos:1.000,2.000,3.000|FS:0,0|WCO:-10.000,-20.000,-5.000>");
        Assert.Equal([-9.0, -18.0, -2.0], first.MachinePositionMillimetres);
        var next = GrblStatusReport.Parse("<Idle|WPos:0.000,0.000,0.000|FS:0,0>", first.WorkCoordinateOffsetMillimetres);
        Assert.Equal([-10.0, -20.0, -5.0], next.MachinePositionMillimetres);
    }

    [Fact]
    public void Buffer_state_is_read_when_present()
    {
        var r = GrblStatusReport.Parse("<Idle|MPos:0.000,0.000,0.000|Bf:15,128|FS:0,0>");
        Assert.Equal(15, r.PlannerBlocksFree);
        Assert.Equal(128, r.RxBytesFree);
    }

    [Theory]
    [InlineData("Idle|MPos:0,0,0")]
    [InlineData("<Flying|MPos:0,0,0>")]
    [InlineData("<Idle|MPos:0,0>")]
    [InlineData("<Idle|MPos:0,x,0>")]
    [InlineData("<Idle|FS:0,0>")]
    [InlineData("<Idle|WPos:0,0,0>")]
    public void Malformed_reports_are_rejected_with_the_line_in_the_message(string line)
    {
        var ex = Assert.Throws<FormatException>(() => GrblStatusReport.Parse(line));
        Assert.Contains(line, ex.Message, StringComparison.Ordinal);
    }
}
