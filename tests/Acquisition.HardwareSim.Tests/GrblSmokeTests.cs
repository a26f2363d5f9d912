using Acquisition.HardwareSim.Clock;
using Acquisition.HardwareSim.Grbl;

namespace Acquisition.HardwareSim.Tests;

public sealed class GrblSmokeTests
{
    [Fact]
    public async Task Real_serial_port_on_the_pty_gets_banner_after_reset_and_ok_per_line()
    {
        using var clock = new SimulationClock();
        using var host = new GrblPtyHost(clock, new GrblOptions { SettingOverrides = { [22] = 0, [20] = 0 } });
        using var s = new SerialSession(host.PortPath, clock);
        await s.BannerAsync();
        await s.ResetAsync();
        Assert.Equal(["ok"], await s.CommandAsync("G21 G90"));
        Assert.Equal(["error:20"], await s.CommandAsync("G99"));
        var status = await s.StatusAsync();
        Assert.StartsWith("<Idle|MPos:0.000,0.000,0.000|FS:0,0", status);
    }
}
