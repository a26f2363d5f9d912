using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class GrblLineTests
{
    [Theory]
    [InlineData("ok", GrblLineKind.Ok, 0)]
    [InlineData("ok\r", GrblLineKind.Ok, 0)]
    [InlineData("error:15", GrblLineKind.Error, 15)]
    [InlineData("ALARM:2", GrblLineKind.Alarm, 2)]
    [InlineData("<Idle|MPos:0.000,0.000,0.000|FS:0,0>", GrblLineKind.Status, 0)]
    [InlineData("[MSG:Reset to continue]", GrblLineKind.Message, 0)]
    [InlineData("[VER:1.1h.20190825:]", GrblLineKind.Feedback, 0)]
    [InlineData("[OPT:V,15,128]", GrblLineKind.Feedback, 0)]
    [InlineData("$110=500.000", GrblLineKind.Setting, 0)]
    [InlineData("Grbl 1.1h ['$' for help]", GrblLineKind.Banner, 0)]
    [InlineData("", GrblLineKind.Empty, 0)]
    [InlineData("q#k!", GrblLineKind.Garbage, 0)]
    [InlineData("error:", GrblLineKind.Garbage, 0)]
    [InlineData("okay", GrblLineKind.Garbage, 0)]
    public void Classifies_every_kind_of_line(string raw, GrblLineKind kind, int code)
    {
        var line = GrblLine.Classify(raw);
        Assert.Equal(kind, line.Kind);
        Assert.Equal(code, line.Code);
    }

    [Fact]
    public void Unprintable_line_noise_in_front_of_an_ok_does_not_lose_the_reply()
    {
        var line = GrblLine.Classify("\u0001\u00ff\u0007ok");
        Assert.Equal(GrblLineKind.Ok, line.Kind);
    }

    [Fact]
    public void A_banner_after_printable_noise_is_still_a_reset()
    {
        var line = GrblLine.Classify("xx#Grbl 1.1h ['$' for help]");
        Assert.Equal(GrblLineKind.Banner, line.Kind);
        Assert.Equal("Grbl 1.1h ['$' for help]", line.Text);
    }

    [Fact]
    public void Payload_strips_the_brackets()
    {
        Assert.Equal("MSG:Caution: Unlocked", GrblLine.Classify("[MSG:Caution: Unlocked]").Payload);
    }
}
