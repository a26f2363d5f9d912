using System.Globalization;
using Acquisition.Core.Hardware;
using Acquisition.Core.Units;
using Acquisition.Hardware.Grbl;

namespace Acquisition.Hardware.Tests.Grbl;

public class GCodeTests
{
    [Fact]
    public void Numbers_use_a_decimal_point_under_de_DE()
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal("12,5", 12.5.ToString(CultureInfo.CurrentCulture)); // the trap this guards against
            Assert.Equal("G53 G0 X-12.5 Y-0.0012 Z-3.25", GCode.RapidToMachine(StagePosition.FromMicrometres(-12500, -1.2, -3250)));
            Assert.Equal("$J=G91 G21 Z0.0125 F37.5", GCode.Jog(Axis.Z, new Micrometres(12.5), 37.5));
            Assert.Equal("$110=500.25", GCode.Setting(110, GCode.Number(500.25)));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Millimetres_keep_a_tenth_of_a_micrometre()
    {
        Assert.Equal("0.0003", GCode.Millimetres(new Micrometres(0.3125)));
        Assert.Equal("-20.0", GCode.Millimetres(new Micrometres(-20000)));
    }
}
