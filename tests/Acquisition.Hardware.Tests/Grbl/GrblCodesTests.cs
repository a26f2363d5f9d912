using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class GrblCodesTests
{
    [Theory]
    [InlineData(1, "expected command letter")]
    [InlineData(9, "locked out during alarm or jog")]
    [InlineData(11, "line overflow")]
    [InlineData(15, "jog target exceeds machine travel")]
    [InlineData(20, "unsupported or invalid G-code")]
    [InlineData(38, "tool number")]
    public void Errors_carry_GRBLs_documented_meaning(int code, string meaning)
    {
        Assert.Contains(meaning, GrblCodes.DescribeError(code), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1, "hard limit")]
    [InlineData(2, "soft limit")]
    [InlineData(3, "reset while in motion")]
    [InlineData(6, "reset during the active homing cycle")]
    [InlineData(7, "safety door was opened during the active homing")]
    [InlineData(8, "pulling off")]
    [InlineData(9, "not found within the search distance")]
    public void Alarms_carry_GRBLs_documented_meaning(int code, string meaning)
    {
        Assert.Contains(meaning, GrblCodes.DescribeAlarm(code), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_codes_say_so_instead_of_unknown_error()
    {
        Assert.Contains("99", GrblCodes.DescribeError(99), StringComparison.Ordinal);
        Assert.DoesNotContain("Unknown error", GrblCodes.DescribeError(99), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Reply_and_alarm_exceptions_name_code_meaning_and_line()
    {
        var reply = new GrblReplyException(15, "$J=G91 G21 X100.0 F500");
        Assert.Equal("error:15 jog target exceeds machine travel; the jog was ignored (line '$J=G91 G21 X100.0 F500')", reply.Message);
        Assert.True(new GrblAlarmException(1, "hard limit").RequiresHoming);
        Assert.False(new GrblAlarmException(2, "soft limit").RequiresHoming);
    }
}
